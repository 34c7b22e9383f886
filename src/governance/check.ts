/**
 * The policy stage: checks one request against the caller's resolved policy — body size (413), operation,
 * model and requested output tokens (403) — before any limit is charged or upstream called.
 */
import { GatewayError } from "../core/errors.ts";
import type { GovernedCaller } from "./caller.ts";
import { matchGlob } from "./policy.ts";

/** The parts of a request a policy looks at. */
export interface PolicyRequest {
  /** Inference operation: `chat`, `completions`, `embeddings`, `responses`, `messages`. */
  operation: string;
  /** Model or deployment the request names; `null` when it names none. */
  model: string | null | undefined;
  /** The parsed JSON body, when there is one. */
  body?: Record<string, unknown> | null;
  /** Size of the request body in bytes. */
  bodyBytes: number;
}

/** Fields that ask for a number of output tokens, by dialect and operation. */
export const MAX_TOKEN_FIELDS = ["max_tokens", "max_completion_tokens", "max_output_tokens"] as const;

/** Throws a `GatewayError` (413 body size, 403 otherwise) when the request breaks the caller's policy. */
export function checkPolicy(caller: Pick<GovernedCaller, "policy">, req: PolicyRequest): void {
  const p = caller.policy;
  if (p.maxBodyBytes !== null && req.bodyBytes > p.maxBodyBytes) {
    throw new GatewayError(
      413,
      "body_too_large",
      `Request body of ${req.bodyBytes} bytes is larger than this caller's limit of ${p.maxBodyBytes} bytes`,
    );
  }
  if (!p.operations.every((allowed) => allowed.includes(req.operation))) {
    throw new GatewayError(
      403,
      "operation_not_allowed",
      `Operation "${req.operation}" is not allowed for this caller`,
    );
  }
  if (p.models.length > 0) {
    const model = req.model ?? "";
    if (model === "") {
      throw new GatewayError(403, "model_not_allowed", "This caller may only use listed models; name one", {
        param: "model",
      });
    }
    if (!p.models.every((globs) => globs.some((g) => matchGlob(g, model)))) {
      throw new GatewayError(403, "model_not_allowed", `Model "${model}" is not allowed for this caller`, {
        param: "model",
      });
    }
  }
  if (p.maxTokens !== null && req.body) {
    for (const field of MAX_TOKEN_FIELDS) {
      const value = req.body[field];
      if (typeof value === "number" && value > p.maxTokens) {
        throw new GatewayError(
          403,
          "max_tokens_exceeded",
          `"${field}" of ${value} is more than this caller's limit of ${p.maxTokens}`,
          { param: field },
        );
      }
    }
  }
}

/** Builds `PlanInput`s for provider tests. */
import type { UpstreamConfig } from "../../src/config/types.ts";
import type { PlanInput } from "../../src/providers/types.ts";
import type { InferenceRoute } from "../../src/core/routes.ts";

/** Routes by name. */
export const ROUTES = {
  chat: { kind: "inference", dialect: "openai", style: "openai", operation: "chat" },
  embeddings: { kind: "inference", dialect: "openai", style: "openai", operation: "embeddings" },
  messages: { kind: "inference", dialect: "anthropic", style: "anthropic", operation: "messages" },
  deploymentChat: {
    kind: "inference",
    dialect: "azure",
    style: "deployment",
    operation: "chat",
    deployment: "d",
  },
} satisfies Record<string, InferenceRoute>;

/** A plan input for `upstream` with the body given as text (so pass-through can be checked by identity). */
export function planInput<U extends UpstreamConfig>(
  upstream: U,
  route: InferenceRoute,
  text: string,
  headers: HeadersInit = {},
): PlanInput<U> {
  return {
    route,
    upstream,
    deployment: upstream.deployments[0]!,
    body: JSON.parse(text),
    bytes: new TextEncoder().encode(text),
    search: "",
    apiVersion: null,
    headers: new Headers(headers),
    now: 1_754_049_351_000,
  };
}

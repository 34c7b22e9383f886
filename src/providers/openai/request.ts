/**
 * Request planning for OpenAI and OpenAI-compatible servers, as a pure function: `{base_url}/{path}`
 * whatever the inbound route style, the target's model id as `model`, and stream usage asked for
 * where the upstream allows it. The client's bytes go out unchanged when nothing had to change.
 */
import type { OpenAIUpstreamConfig } from "../../config/types.ts";
import type { Operation } from "../../core/operation.ts";
import { injectUsage } from "../azure/request.ts";
import type { PlanInput, UpstreamPlan } from "../types.ts";

const OP_PATH: Partial<Record<Operation, string>> = {
  chat: "chat/completions",
  completions: "completions",
  embeddings: "embeddings",
  responses: "responses",
};

/** Plans a call to an OpenAI-compatible upstream; `input.body` may be changed. */
export function planOpenAIRequest(input: PlanInput<OpenAIUpstreamConfig>): UpstreamPlan {
  const { body, upstream, route } = input;
  const path = OP_PATH[route.operation];
  if (path === undefined) throw new TypeError(`Operation "${route.operation}" has no OpenAI path`);
  let rewrite = false;
  if (body.model !== input.deployment.name) {
    body.model = input.deployment.name;
    rewrite = true;
  }
  const injectedUsage = upstream.streamUsage && injectUsage(route.operation, body);
  return {
    url: `${upstream.endpoint}/${path}`,
    body: rewrite || injectedUsage ? JSON.stringify(body) : input.bytes,
    injectedUsage,
    upstreamOperation: route.operation,
    translator: null,
  };
}

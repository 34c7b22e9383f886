/**
 * Usage and content from non-streaming JSON bodies, normalised across the OpenAI, Azure OpenAI,
 * Responses and Anthropic shapes.
 *
 * Anthropic reports `input_tokens` WITHOUT cache reads and cache writes; OpenAI's `prompt_tokens`
 * includes cached tokens. So for Anthropic `promptTokens = input_tokens + cache_read_input_tokens +
 * cache_creation_input_tokens`, `cachedTokens = cache_read_input_tokens` and `cacheWriteTokens =
 * cache_creation_input_tokens`: both are parts of `promptTokens`, exactly like OpenAI's convention.
 * @module
 */
import type { Assembled, Operation, ToolCall, Usage } from "./types.ts";
import { errorOf, isObject, type JsonObject, num, str } from "./_read.ts";

/** Normalises one usage object (`body.usage`, or a stream event's usage) of operation `op`. */
export function normalizeUsage(op: Operation, u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  if (op === "messages") return anthropicUsage(u);
  if ("prompt_tokens" in u || "completion_tokens" in u) return chatUsage(u);
  if ("input_tokens" in u || "output_tokens" in u) return responsesUsage(u);
  return undefined;
}

/** Normalised usage of a non-streaming JSON response body, or undefined when it carries none. */
export function usageFromBody(op: Operation, body: unknown): Usage | undefined {
  if (!isObject(body)) return undefined;
  const u = normalizeUsage(op, body.usage);
  return u === undefined ? undefined : withTier(u, body.service_tier);
}

function chatUsage(u: JsonObject): Usage {
  const promptTokens = num(u.prompt_tokens);
  const completionTokens = num(u.completion_tokens);
  const pd = u.prompt_tokens_details;
  const cd = u.completion_tokens_details;
  return {
    promptTokens,
    completionTokens,
    cachedTokens: isObject(pd) ? num(pd.cached_tokens) : 0,
    reasoningTokens: isObject(cd) ? num(cd.reasoning_tokens) : 0,
    totalTokens: typeof u.total_tokens === "number" ? num(u.total_tokens) : promptTokens + completionTokens,
    cacheWriteTokens: 0,
  };
}

function responsesUsage(u: JsonObject): Usage {
  const promptTokens = num(u.input_tokens);
  const completionTokens = num(u.output_tokens);
  const id = u.input_tokens_details;
  const od = u.output_tokens_details;
  return {
    promptTokens,
    completionTokens,
    cachedTokens: isObject(id) ? num(id.cached_tokens) : 0,
    reasoningTokens: isObject(od) ? num(od.reasoning_tokens) : 0,
    totalTokens: typeof u.total_tokens === "number" ? num(u.total_tokens) : promptTokens + completionTokens,
    cacheWriteTokens: 0,
  };
}

function anthropicUsage(u: JsonObject): Usage {
  const cachedTokens = num(u.cache_read_input_tokens);
  const cacheWriteTokens = num(u.cache_creation_input_tokens);
  const promptTokens = num(u.input_tokens) + cachedTokens + cacheWriteTokens;
  const completionTokens = num(u.output_tokens);
  const usage: Usage = {
    promptTokens,
    completionTokens,
    cachedTokens,
    reasoningTokens: 0,
    totalTokens: promptTokens + completionTokens,
    cacheWriteTokens,
  };
  // The 1-hour part of the cache writes, billed at 2 × input (the 5-minute ones at 1.25 ×).
  const hour = isObject(u.cache_creation)
    ? Math.min(num(u.cache_creation.ephemeral_1h_input_tokens), cacheWriteTokens)
    : 0;
  if (hour > 0) usage.cacheWrite1hTokens = hour;
  return withTier(usage, u.service_tier);
}

/** Processing tiers billed at the standard price: not kept on the usage. */
const STANDARD_TIERS = new Set(["default", "standard", "auto"]);

/**
 * `usage` with a non-standard `service_tier` (`priority`, `flex`, `batch` …) the provider reports: beside
 * the usage on OpenAI bodies and chunks, inside it on Anthropic's.
 */
export function withTier(usage: Usage, tier: unknown): Usage {
  const t = str(tier);
  if (t === undefined || STANDARD_TIERS.has(t) || usage.serviceTier !== undefined) return usage;
  return { ...usage, serviceTier: t };
}

/** Content, tool calls, finish reason, id, model, usage and error of a non-streaming JSON body. */
export function assembleBody(op: Operation, body: unknown): Assembled {
  const out: Assembled = { content: "", toolCalls: [], events: 0 };
  if (!isObject(body)) return out;
  const id = str(body.id);
  if (id !== undefined) out.id = id;
  const model = str(body.model);
  if (model !== undefined) out.model = model;
  const usage = usageFromBody(op, body);
  if (usage !== undefined) out.usage = withTier(usage, body.service_tier);
  const error = errorOf(body.error);
  if (error !== undefined) out.error = error;
  if (op === "responses") readResponses(body, out);
  else if (op === "messages") readMessages(body, out);
  else if (op !== "embeddings") readChoice(body, out);
  return out;
}

function readChoice(body: JsonObject, out: Assembled): void {
  const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
  if (!isObject(choice)) return;
  const finish = str(choice.finish_reason);
  if (finish !== undefined) out.finishReason = finish;
  if (typeof choice.text === "string") out.content = choice.text;
  const msg = choice.message;
  if (!isObject(msg)) return;
  out.content = textOf(msg.content, "text");
  if (Array.isArray(msg.tool_calls)) {
    for (const tc of msg.tool_calls) {
      if (!isObject(tc)) continue;
      const fn = isObject(tc.function) ? tc.function : {};
      out.toolCalls.push(call(tc.id, tc.type ?? "function", fn.name, fn.arguments));
    }
  } else if (isObject(msg.function_call)) {
    out.toolCalls.push(call("", "function", msg.function_call.name, msg.function_call.arguments));
  }
}

function readResponses(body: JsonObject, out: Assembled): void {
  const incomplete = body.incomplete_details;
  const finish = (isObject(incomplete) ? str(incomplete.reason) : undefined) ?? str(body.status);
  if (finish !== undefined) out.finishReason = finish;
  if (!Array.isArray(body.output)) return;
  for (const item of body.output) {
    if (!isObject(item)) continue;
    if (item.type === "message") out.content += textOf(item.content, "output_text");
    else if (item.type === "function_call") {
      out.toolCalls.push(call(item.call_id ?? item.id, item.type, item.name, item.arguments));
    }
  }
}

function readMessages(body: JsonObject, out: Assembled): void {
  const finish = str(body.stop_reason);
  if (finish !== undefined) out.finishReason = finish;
  if (!Array.isArray(body.content)) return;
  for (const block of body.content) {
    if (!isObject(block)) continue;
    if (block.type === "text" && typeof block.text === "string") out.content += block.text;
    else if (block.type === "tool_use" || block.type === "server_tool_use") {
      out.toolCalls.push(call(block.id, block.type, block.name, JSON.stringify(block.input ?? {})));
    }
  }
}

/** A message content that is a string, or an array of parts whose `partType` parts hold text. */
function textOf(content: unknown, partType: string): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const p of content) {
    if (isObject(p) && p.type === partType && typeof p.text === "string") text += p.text;
  }
  return text;
}

function call(id: unknown, type: unknown, name: unknown, args: unknown): ToolCall {
  return {
    id: typeof id === "string" ? id : "",
    type: typeof type === "string" ? type : "function",
    name: typeof name === "string" ? name : "",
    arguments: typeof args === "string" ? args : "",
  };
}

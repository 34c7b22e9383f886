/**
 * Usage objects between the two conventions. Anthropic's `input_tokens` excludes cache reads and cache
 * writes; OpenAI's `prompt_tokens` is the whole input, with cache reads as `cached_tokens`.
 */
import { isObject, num } from "../../streams/_read.ts";
import type { JsonObject } from "../types.ts";

/** Anthropic usage counters (cumulative, as the last message event reports them). */
export interface AnthropicCounts {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
}

/** Reads Anthropic usage into `into` (fields absent or null keep their value). */
export function readAnthropicUsage(u: unknown, into: AnthropicCounts): AnthropicCounts {
  if (!isObject(u)) return into;
  if (u.input_tokens != null) into.input = num(u.input_tokens);
  if (u.cache_read_input_tokens != null) into.cacheRead = num(u.cache_read_input_tokens);
  if (u.cache_creation_input_tokens != null) into.cacheWrite = num(u.cache_creation_input_tokens);
  if (u.output_tokens != null) into.output = num(u.output_tokens);
  return into;
}

/** Anthropic counters as an OpenAI chat `usage` object (prompt tokens include the cache). */
export function chatUsageOf(c: AnthropicCounts): JsonObject {
  const prompt = c.input + c.cacheRead + c.cacheWrite;
  return {
    prompt_tokens: prompt,
    completion_tokens: c.output,
    total_tokens: prompt + c.output,
    prompt_tokens_details: { cached_tokens: c.cacheRead },
  };
}

/** An OpenAI chat `usage` object as Anthropic usage (cache reads taken out of the input). */
export function anthropicUsageOf(u: unknown): JsonObject {
  const prompt = isObject(u) ? num(u.prompt_tokens) : 0;
  const details = isObject(u) && isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const cached = Math.min(prompt, num(details.cached_tokens));
  return {
    input_tokens: prompt - cached,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
    output_tokens: isObject(u) ? num(u.completion_tokens) : 0,
  };
}

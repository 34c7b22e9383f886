/**
 * Token estimates where the upstream reported no usage (a stream cut off, a provider that sends none):
 * counted with `gpt-tokenizer` (o200k_base) from the request body and the assembled response. The
 * tokenizer loads in the background (its tables take ~0.3 s to load); until it has, text counts at four
 * characters a token. Admission reserves with the cheap count on purpose: it runs on every request.
 */
import { estimateTokens, promptText } from "../governance/estimate.ts";
import type { Assembled, Usage } from "../core/operation.ts";

/** Tokens OpenAI adds per chat message (role and separators) and to prime the reply. */
const PER_MESSAGE = 3;
const REPLY_PRIMING = 3;

let count: ((text: string) => number) | null = null;
let loading: Promise<void> | null = null;

/** Loads the tokenizer once; later calls return the same promise. Never rejects. */
export function loadTokenizer(): Promise<void> {
  loading ??= import("gpt-tokenizer").then(
    (m) => {
      count = (text) => m.countTokens(text);
    },
    () => {
      // Offline without a cached package: estimates stay at four characters a token.
    },
  );
  return loading;
}

/** Whether anything has asked for the tokenizer yet (its load has started, or is done). */
export function tokenizerRequested(): boolean {
  return loading !== null;
}

/** Whether estimates use the real tokenizer yet. */
export function tokenizerReady(): boolean {
  return count !== null;
}

/** Tokens of `text`: the tokenizer's count once loaded, else one per four characters. */
export function countTokens(text: string): number {
  if (text === "") return 0;
  return count === null ? Math.ceil(text.length / 4) : count(text);
}

/** Prompt tokens of a request body: its text fields, plus message overhead for chat-like bodies. */
export function promptTokens(body: Record<string, unknown> | null | undefined): number {
  if (!body) return 0;
  const { texts, tokens } = promptText(body);
  const messages = Array.isArray(body.messages) ? body.messages.length : 0;
  const overhead = messages > 0 ? messages * PER_MESSAGE + REPLY_PRIMING : 0;
  return tokens + countTokens(texts.join("\n")) + overhead;
}

/** Output tokens of an assembled response: content plus tool call names and arguments. */
export function outputTokens(assembled: Assembled | null | undefined): number {
  if (!assembled) return 0;
  let text = assembled.content;
  for (const call of assembled.toolCalls) text += `\n${call.name}\n${call.arguments}`;
  return countTokens(text);
}

/** Estimated usage of a call without reported usage; embeddings have no output. */
export function estimateUsage(
  body: Record<string, unknown> | null | undefined,
  assembled: Assembled | null | undefined,
): Usage {
  const prompt = promptTokens(body);
  const completion = outputTokens(assembled);
  return {
    promptTokens: prompt,
    completionTokens: completion,
    cachedTokens: 0,
    reasoningTokens: 0,
    totalTokens: prompt + completion,
    cacheWriteTokens: 0,
  };
}

/**
 * Tokens reserved at admission: the prompt at four characters a token, plus the requested output
 * (`max_tokens`, `max_completion_tokens`, `max_output_tokens`) or `defaultMaxTokens`; embeddings none.
 */
export function admissionUsage(
  body: Record<string, unknown> | null | undefined,
  options: { operation: string; defaultMaxTokens: number },
): Usage {
  const est = estimateTokens(body, { defaultMaxTokens: options.defaultMaxTokens });
  const output = options.operation === "embeddings" ? 0 : est.output;
  return {
    promptTokens: est.prompt,
    completionTokens: output,
    cachedTokens: 0,
    reasoningTokens: 0,
    totalTokens: est.prompt + output,
    cacheWriteTokens: 0,
  };
}

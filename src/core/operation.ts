/** What a response is reduced to: the API operation, normalised token usage, tool calls and the assembled result. */

/** The API operation a request or response belongs to; selects how bodies and streams are read. */
export type Operation = "chat" | "completions" | "embeddings" | "responses" | "messages";

/**
 * Token usage normalised to OpenAI's convention: `promptTokens` is the whole input, and
 * `cachedTokens` (cache reads) and `cacheWriteTokens` (cache writes) are parts of it.
 */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  totalTokens: number;
  cacheWriteTokens: number;
  /** The part of `cacheWriteTokens` written for one hour (Anthropic `ephemeral_1h_input_tokens`). */
  cacheWrite1hTokens?: number;
  /** A non-standard processing tier the provider reports (`service_tier`: `priority`, `flex` …). */
  serviceTier?: string;
}

/** One tool (function) call of a response; `arguments` is the raw JSON text as sent by the model. */
export interface ToolCall {
  id: string;
  type: string;
  name: string;
  arguments: string;
}

/** A response reduced to what is logged and billed, from a JSON body or from a stream's events. */
export interface Assembled {
  id?: string;
  model?: string;
  content: string;
  toolCalls: ToolCall[];
  finishReason?: string;
  usage?: Usage;
  /** Number of SSE events seen; 0 for a non-streaming body. */
  events: number;
  error?: { type: string; message: string };
}

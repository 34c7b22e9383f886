/**
 * A mock LLM provider that speaks the Azure OpenAI, OpenAI and Anthropic wire formats, for tests,
 * the benchmark and the gateway's embedded default upstream.
 *
 * Routes: Azure `POST /openai/deployments/{deployment}/{chat/completions|completions|embeddings|responses}`
 * and `POST /openai/responses` (both need `?api-version=`, else 404 `{"error":{"code":"404",...}}` as
 * Azure answers), `POST /openai/v1/{chat/completions|completions|embeddings|responses}`,
 * `GET /openai/v1/models`; OpenAI `POST /v1/{chat/completions|completions|embeddings|responses}`,
 * `GET /v1/models`; Anthropic `POST /v1/messages` (needs `anthropic-version`). Anything else is a
 * 404 in the dialect's error shape.
 *
 * The answer is `"This is mock reply chunk 1. "` … `"This is mock reply chunk N. "` (N content
 * chunks, default 8), or a tool call when the request offers `tools` (the one `tool_choice`
 * forces, else the first; arguments fill the schema's required properties). The `model` field echoes
 * the request's `model`, or the deployment name on Azure deployment routes.
 *
 * Token rule (see {@linkcode mockTokenCounts}):
 * - prompt tokens = `ceil(C / 4) + 3 × M`, where C counts the UTF-16 length of every text in the
 *   request — strings and array items of `messages[].content`, `system`, `instructions`, `input` and
 *   `prompt`, and the `text`/`content` of objects inside them; a number in a token array counts as 4 —
 *   and M is the number of entries of `messages` plus the number of object entries of an `input` array;
 * - completion tokens = chunks × 7 (+ reasoning tokens); embeddings have none;
 * - `[cached:N]` anywhere in that text reports N cached prompt tokens (capped at the prompt tokens;
 *   Anthropic: `cache_read_input_tokens` = N and `input_tokens` = prompt − N);
 * - `[reasoning:N]` reports N reasoning tokens, counted within the completion tokens.
 *
 * Control headers (a gateway forwards them unchanged): `x-mock-latency-ms`, `x-mock-chunks`,
 * `x-mock-chunk-delay-ms`; `x-mock-status: 429|500|…` (with `x-mock-retry-after: S` → `retry-after`,
 * plus `retry-after-ms` on OpenAI/Azure); `x-mock-fault: timeout|reset|reset-mid-stream`
 * (`x-mock-reset-after-chunks: K`, default 2); `x-mock-fail-first: N` with `x-mock-scenario: id`
 * makes only the first N requests of that scenario fail (status 500 when no status or fault is given).
 *
 * Faults as a client sees them: `timeout` never answers; the handler rejects with the abort reason
 * once the request's signal aborts. `reset`: Deno.serve always sends the status line and headers
 * before a body, so the mock sends `200` headers and then drops the connection with no body byte —
 * `fetch` resolves, then reading the body rejects (`TypeError: error reading a body from connection`).
 * `reset-mid-stream` sends K events (half the JSON body when not streaming) and then drops the
 * connection the same way.
 *
 * @example
 * ```ts
 * import { serveMock } from "./src/mock/mod.ts";
 * const mock = serveMock();
 * const res = await fetch(`${mock.url}/v1/chat/completions`, {
 *   method: "POST",
 *   body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "Hi" }] }),
 * });
 * console.log((await res.json()).usage.prompt_tokens); // ceil(2 / 4) + 3 = 4
 * await mock.shutdown();
 * ```
 *
 * @module
 */
import { createMockCore } from "./handler.ts";
import type { MockOptions, MockUpstream } from "./types.ts";

export type { MockOptions, MockRequestRecord, MockUpstream } from "./types.ts";
export { type RunningMock, serveMock, type ServeMockOptions } from "./server.ts";
export {
  MOCK_DEFAULT_CHUNKS,
  MOCK_TOKENS_PER_CHUNK,
  mockPromptTokens,
  type MockTokenCounts,
  mockTokenCounts,
} from "./tokens.ts";
export { replyText as mockReplyText } from "./content.ts";
export { MockResetError } from "./sse.ts";

/** Creates a mock upstream as a plain handler (no socket). */
export function createMockUpstream(options: MockOptions = {}): MockUpstream {
  const { handler, requests, reset } = createMockCore(options);
  return { handler, requests, reset };
}

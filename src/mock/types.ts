/**
 * Public option and record types of the mock upstream, plus the per-request context its
 * provider modules share.
 */

/** Defaults of a mock upstream; each can be overridden per request by an `x-mock-*` header. */
export interface MockOptions {
  /** Delay before response headers, in milliseconds (default 0). */
  latencyMs?: number;
  /** Delay between stream events, in milliseconds (default 0). */
  chunkDelayMs?: number;
  /** Number of content chunks in an answer, streamed or not (default 8). */
  chunks?: number;
  /** When set, every request must carry this key the way its provider expects, else 401. */
  apiKey?: string;
}

/** One request as the mock received it; header names are lower case. */
export interface MockRequestRecord {
  /** HTTP method. */
  method: string;
  /** URL path, e.g. `/v1/chat/completions`. */
  path: string;
  /** URL query including the leading `?`, or `""`. */
  search: string;
  /** Request headers by lower-case name. */
  headers: Record<string, string>;
  /** Request body as text (`""` when there is none). */
  body: string;
}

/** A mock provider as a plain handler, with the requests it has seen. */
export interface MockUpstream {
  /** Answers one request the way the provider it imitates would. */
  handler: (req: Request) => Promise<Response>;
  /** Every request received, oldest first, capped at the last 1000. */
  requests: MockRequestRecord[];
  /** Clears `requests` and the `x-mock-scenario` counters. */
  reset(): void;
}

/** Wire dialect the mock answers in; decides error shapes and extra headers. */
export type Flavor = "azure" | "openai" | "anthropic";

/** Operation selected by the route table. */
export type Operation = "chat" | "completions" | "embeddings" | "responses" | "models" | "messages";

/** Everything a provider module needs to build one answer. */
export interface ReplyContext {
  /** Dialect of the route. */
  flavor: Flavor;
  /** Parsed JSON body (an object). */
  body: Record<string, unknown>;
  /** Model to echo: the Azure deployment name on deployment routes, else the body's `model`. */
  model: string;
  /** Number of content chunks. */
  chunks: number;
  /** Delay between stream events in milliseconds. */
  chunkDelayMs: number;
  /** When set, a stream is cut after this many events. */
  resetAfter: number | undefined;
  /** Aborted when the client leaves or the server shuts down. */
  signal: AbortSignal;
  /** Response headers of the flavor, fresh for this request, by lower-case name. */
  headers: Record<string, string>;
}

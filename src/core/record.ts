/**
 * The call record: what the finalize stage hands to later consumers (request log, cost, metrics) once a
 * call has ended — metadata plus the raw request body and the response (raw or assembled from a stream).
 */
import type { Dialect } from "./errors.ts";
import type { Assembled, Operation, Usage } from "./operation.ts";
import type { Caller } from "./caller.ts";

/** Final status of a call: the HTTP status sent, or `client_closed` when the client left first. */
export type CallStatus = number | "client_closed";

/** One target considered for a call. */
export interface TriedTarget {
  upstream: string;
  deployment: string;
  status: number | null;
  error: string | null;
  /** Time spent on this attempt, until its answer was accepted or refused. */
  ms: number;
}

/** Everything known about one call once it has ended. */
export interface CallRecord {
  id: string;
  /** Start time, ISO 8601 UTC. */
  ts: string;
  caller: Caller | null;
  dialect: Dialect;
  operation: Operation | null;
  /** Model or deployment as the caller named it. */
  model: string | null;
  upstream: string | null;
  deployment: string | null;
  status: CallStatus;
  stream: boolean;
  /** Upstream requests sent (retries and fallbacks included). */
  attempts: number;
  /**
   * Every target considered, in order: what it answered (`status`, null when nothing came back) and why
   * it was not the final answer (`error`, null for the one that was). Targets skipped because their
   * breaker was open or they were cooling down after a 429 appear with status null and ms 0.
   */
  tried?: TriedTarget[];
  latencyMs: number;
  /** Time until the upstream's response headers, from the start of the call. */
  ttfbMs: number | null;
  usage: Usage | null;
  usageSource: "upstream" | null;
  /** Cost in EUR, set by the cost stage when the call settles; absent or null when not priced. */
  costEur?: number | null;
  /** Whether `usage` was estimated by the cost stage because the upstream reported none. */
  costEstimated?: boolean;
  error: { type: string; code: string; message: string } | null;
  /**
   * The request body as the client sent it. A body over 256 KiB gives its memory back once the sinks have
   * run (its buffer is detached and reads as empty from then on), so a sink reads it when it is called.
   */
  requestBody: Uint8Array | null;
  /** Raw response body of a non-streaming call (or an error), as sent to the client. */
  responseBody: Uint8Array | null;
  /** Content, tool calls and usage assembled from a stream. */
  assembled: Assembled | null;
}

/**
 * Receives each finished call; must not throw and must not block (it runs on the request path). A sink may
 * also want to know when an upstream has accepted a streamed call (`started`, with what the budget holds
 * for it in EUR), so a stream cut by a crash still leaves a trace; the call's record follows at its end.
 */
export type CallSink = ((record: CallRecord) => void) & {
  started?: (record: CallRecord, reservedEur: number | null) => void;
};

/**
 * The call record: what the finalize stage hands to later consumers (request log, cost, metrics) once a
 * call has ended — metadata plus the raw request body and the response (raw or assembled from a stream).
 * The pipeline builds it once per call and no consumer writes it: its fields are read-only.
 */
import type { Dialect } from "./errors.ts";
import type { Assembled, Operation, Usage } from "./operation.ts";
import type { Caller } from "./caller.ts";

/** Final status of a call: the HTTP status sent, or `client_closed` when the client left first. */
export type CallStatus = number | "client_closed";

/** One target considered for a call. */
export interface TriedTarget {
  readonly upstream: string;
  readonly deployment: string;
  readonly status: number | null;
  readonly error: string | null;
  /** Time spent on this attempt, until its answer was accepted or refused. */
  readonly ms: number;
}

/** Why a call failed, as the record keeps it. */
export interface CallError {
  readonly type: string;
  readonly code: string;
  readonly message: string;
}

/** Everything known about one call once it has ended. */
export interface CallRecord {
  readonly id: string;
  /** Start time, ISO 8601 UTC. */
  readonly ts: string;
  readonly caller: Caller | null;
  readonly dialect: Dialect;
  readonly operation: Operation | null;
  /** Model or deployment as the caller named it. */
  readonly model: string | null;
  readonly upstream: string | null;
  readonly deployment: string | null;
  readonly status: CallStatus;
  readonly stream: boolean;
  /** Upstream requests sent (retries and fallbacks included). */
  readonly attempts: number;
  /**
   * Every target considered, in order: what it answered (`status`, null when nothing came back) and why
   * it was not the final answer (`error`, null for the one that was). Targets skipped because their
   * breaker was open or they were cooling down after a 429 appear with status null and ms 0.
   */
  readonly tried?: readonly TriedTarget[];
  readonly latencyMs: number;
  /** Time until the upstream's response headers, from the start of the call. */
  readonly ttfbMs: number | null;
  readonly usage: Usage | null;
  readonly usageSource: "upstream" | null;
  /** Cost in EUR, as the budget stage settled it; absent or null when not priced. */
  readonly costEur?: number | null;
  /** Whether `usage` was estimated by the budget stage because the upstream reported none. */
  readonly costEstimated?: boolean;
  readonly error: CallError | null;
  /**
   * The request body as the client sent it. A body over 256 KiB gives its memory back once the sinks have
   * run (its buffer is detached and reads as empty from then on), so a sink reads it when it is called.
   */
  readonly requestBody: Uint8Array | null;
  /** Raw response body of a non-streaming call (or an error), as sent to the client. */
  readonly responseBody: Uint8Array | null;
  /** Content, tool calls and usage assembled from a stream. */
  readonly assembled: Assembled | null;
}

/** The cost of an ended call, as settling it found (the budget stage). */
export interface CallCost {
  readonly costEur: number;
  /** Whether the usage was estimated (the upstream reported none). */
  readonly estimated: boolean;
  /** The estimated usage, present when `estimated`. */
  readonly usage?: Usage;
}

/** What is known of a streamed call when its upstream accepts it. */
export type CallStart = Pick<CallRecord, "id" | "ts" | "caller" | "model" | "upstream" | "deployment">;

/**
 * Receives each finished call; must not throw and must not block (it runs on the request path). A sink may
 * also want to know when an upstream has accepted a streamed call (`started`, with what the budget holds
 * for it in EUR), so a stream cut by a crash still leaves a trace; the call's record follows at its end.
 * Each record is built once for its event and never changed afterwards.
 */
export type CallSink = ((record: CallRecord) => void) & {
  started?: (call: CallStart, reservedEur: number | null) => void;
};

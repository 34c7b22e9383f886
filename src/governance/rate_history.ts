/**
 * What the local rate limiter charged before the gateway (re)started, read back from the request log so
 * that a restart — or a kill -9 — does not refill the RPM/TPM buckets. The limiter counts a request when it
 * admits a call and settles the call's tokens to the usage the upstream reported when it ends; so a logged
 * call charges one request at its start (`ts`) and its reported tokens at its end (`ts` + `latency_ms`).
 * Times here are wall-clock ms; the limiter moves them onto its own clock when it takes the history
 * (`RateLimiter.restore()`).
 */
import type { LogRecord } from "../logs/record.ts";
import { bucketId } from "./bucket.ts";

/** How the limiter's 429 messages start: a call it refused was never charged. */
export const LIMITER_REFUSALS = ["Rate limit reached for ", "Request too large for "] as const;

/** The fields of a log record the replay reads. */
export type LoggedCall = Pick<
  LogRecord,
  "ts" | "caller" | "status" | "attempts" | "latency_ms" | "usage" | "usage_source" | "error"
>;

/** What the limiter charged for one call, in wall-clock ms. */
export interface PastCharge {
  /** When its request was counted: the call's start. */
  requestAt: number;
  /** When its tokens were settled: the call's end. */
  tokensAt: number;
  /** Tokens it was settled to: the usage the upstream reported (a call without one settles to none). */
  tokens: number;
}

/**
 * What the limiter charged for a logged call, or `null` when it charged nothing: a call refused before any
 * upstream attempt was charged only when the refusal came after the limiter admitted it (a daily cost cap,
 * a model no target serves, 5xx); refusals before it (authentication, body, policy: 400, 401, 403, 408,
 * 413, a client gone while sending) and the limiter's own 429 were not. A 400 that came after admission
 * (an operation no target of the model serves) is not told apart from one before it and is not replayed.
 * A started entry no record closed reads as a call with one attempt and no usage: one request.
 */
export function chargeOf(call: LoggedCall): PastCharge | null {
  const c = call.caller;
  if (c === null || typeof c !== "object" || (c.key_id === null && c.token_id === null)) return null;
  if (!admitted(call)) return null;
  const start = Date.parse(call.ts);
  if (!Number.isFinite(start)) return null;
  const latency = typeof call.latency_ms === "number" && call.latency_ms > 0 ? call.latency_ms : 0;
  const total = call.usage_source === "upstream" ? call.usage?.total_tokens : undefined;
  const tokens = typeof total === "number" && total > 0 ? Math.ceil(total) : 0;
  return { requestAt: start, tokensAt: start + latency, tokens };
}

function admitted(call: LoggedCall): boolean {
  if (call.attempts > 0) return true;
  const status = call.status;
  if (typeof status !== "number") return false; // the client left before any attempt: while sending
  if (status === 429) {
    const message = call.error?.message ?? "";
    return !LIMITER_REFUSALS.some((p) => message.startsWith(p));
  }
  return status === 404 || status >= 500 || (status >= 200 && status < 400);
}

/** One charge on a bucket: `units` requests or tokens at `at` (ms). */
export interface BucketCharge {
  at: number;
  units: number;
}

/** The charges of the last rate window, per bucket, gathered while the request log is read at start. */
export class RateHistory {
  readonly #buckets = new Map<string, BucketCharge[]>();
  /** Wall-clock ms the window ends at (the start-up). */
  readonly now: number;
  /** Length of the rate window (the limiter's: one minute). */
  readonly windowMs: number;

  /** An empty history of the window that ends at `now`. */
  constructor(now: number, windowMs = 60_000) {
    this.now = now;
    this.windowMs = windowMs;
  }

  /** Wall-clock ms a charge must be later than to count. */
  get since(): number {
    return this.now - this.windowMs;
  }

  /** Adds a call's charges on each of its limit scopes (`project:demo`, `key:k1` …); false when too old. */
  add(scopes: readonly string[], charge: PastCharge): boolean {
    const request = charge.requestAt > this.since;
    const tokens = charge.tokens > 0 && charge.tokensAt > this.since;
    if (!request && !tokens) return false;
    for (const scope of scopes) {
      if (request) this.#push(bucketId(scope, "requests"), { at: charge.requestAt, units: 1 });
      if (tokens) this.#push(bucketId(scope, "tokens"), { at: charge.tokensAt, units: charge.tokens });
    }
    return true;
  }

  /** Every bucket id with its charges (in the order added). */
  buckets(): IterableIterator<[string, readonly BucketCharge[]]> {
    return this.#buckets.entries();
  }

  #push(id: string, charge: BucketCharge): void {
    const list = this.#buckets.get(id);
    if (list === undefined) this.#buckets.set(id, [charge]);
    else list.push(charge);
  }
}

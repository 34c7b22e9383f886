/**
 * Delivery with retries: exponential backoff with full jitter between attempts (the upstream retries'
 * `backoffDelay`: a random wait below `min(max, base × 2^(retry-1))`), until delivered, refused for good,
 * out of attempts or aborted (shutdown deadline).
 */
import { backoffDelay } from "../pipeline/retry.ts";
import type { CloudEvent } from "./event.ts";
import { DeliveryError, type Sink } from "./sink.ts";

/** How often and how patiently a batch is retried. */
export interface RetryPolicy {
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

/** Time and randomness of retries (tests pass instant sleeps and a fixed random). */
export interface RetryDeps {
  /** Waits `ms`; rejects or resolves early when `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** A number in [0, 1). */
  random: () => number;
}

/** The outcome of `deliverWithRetry()`. */
export type RetryOutcome =
  | { ok: true; attempts: number }
  | { ok: false; attempts: number; reason: string; aborted: boolean };

/** A `sleep` on real timers that ends early (resolving) when `signal` aborts. */
export function realSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Real timers and `Math.random`. */
export const REAL_RETRY_DEPS: RetryDeps = { sleep: realSleep, random: Math.random };

/** Delivers `batch` to `sink`, retrying per `policy`; `onRetry` runs before each new attempt. */
export async function deliverWithRetry(
  sink: Sink,
  batch: readonly CloudEvent[],
  options: { policy: RetryPolicy; deps: RetryDeps; signal: AbortSignal; onRetry?: () => void },
): Promise<RetryOutcome> {
  const { policy, deps, signal } = options;
  let reason = "not attempted";
  let n = 0;
  while (n < policy.maxAttempts) {
    if (signal.aborted) {
      return { ok: false, attempts: n, reason: `shutdown (last: ${reason})`, aborted: true };
    }
    if (n > 0) {
      options.onRetry?.();
      await deps.sleep(backoffDelay({ ...policy, retries: policy.maxAttempts - 1 }, n, deps.random), signal);
      if (signal.aborted) {
        return { ok: false, attempts: n, reason: `shutdown (last: ${reason})`, aborted: true };
      }
    }
    n++;
    try {
      await sink.deliver(batch, signal);
      return { ok: true, attempts: n };
    } catch (err) {
      reason = err instanceof Error ? err.message : String(err);
      if (err instanceof DeliveryError && !err.retryable) break;
    }
  }
  return { ok: false, attempts: n, reason, aborted: false };
}

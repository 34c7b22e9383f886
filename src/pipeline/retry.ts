/**
 * Retries: pure functions for which upstream statuses are worth another try, exponential backoff with full
 * jitter, and the wait an upstream asks for (`retry-after-ms`, `Retry-After` in seconds or as an HTTP
 * date); and `realSleep`, the timer the pipeline waits on unless its deps bring a `Sleep` of their own
 * (tests pass one that records the delay instead of waiting).
 */
import { GatewayError } from "../core/errors.ts";

/** Retry settings of one target (the global `routing` merged with its upstream's overrides). */
export interface RetryPolicy {
  retries: number;
  backoffMs: number;
  maxBackoffMs: number;
}

/** Waits `ms`; rejects with a `client_closed` error when `signal` aborts first. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Whether an upstream status is worth another try: 429 and 5xx except 501. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

/** Backoff before retry number `retry` (1-based): uniform in [0, min(max, base · 2^(retry-1))). */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** The wait the upstream asked for in ms, or undefined; `now` is the wall clock for HTTP dates. */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.ceil(Number(ms));
  const ra = headers.get("retry-after");
  if (ra === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return Math.ceil(Number(ra) * 1000);
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A real sleep on `setTimeout`, cut short with a `client_closed` error when `signal` aborts. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const gone = () => new GatewayError(499, "client_closed", "The client closed the connection");
    if (signal?.aborted) return reject(gone());
    const onAbort = () => {
      clearTimeout(timer);
      reject(gone());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

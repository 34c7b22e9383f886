/**
 * Retries and fallback over a call's ordered targets. Each target gets up to `1 + retries` attempts,
 * spaced by exponential backoff with full jitter or by the wait the upstream asked for; a wait longer
 * than `max_backoff_ms` — or a 429 while a later target is available now — moves on to the next target
 * at once. Targets whose breaker is open or that are cooling down are skipped. When nothing could be
 * tried at all the caller learns when the earliest target is available again.
 */
import { attemptReason, type AttemptResult } from "./attempt.ts";
import type { TriedTarget } from "../core/record.ts";
import { backoffDelay, type Sleep } from "./retry.ts";
import type { Target } from "./target.ts";

/** Every target was skipped; `until` is when the first one may be tried again (monotonic clock). */
export interface AllUnavailable {
  unavailable: true;
  until: number;
}

/** Clocks, randomness and sleep of the loop (tests pass fakes), and the attempt itself. */
export interface FailoverOptions {
  clock: () => number;
  random: () => number;
  sleep: Sleep;
  /** The client's signal: a backoff ends early when the client leaves. */
  signal: AbortSignal;
  attempt: (target: Target, n: number) => Promise<AttemptResult>;
  /** Filled with one entry per target considered (skips included). */
  tried: TriedTarget[];
}

/** Tries `targets` in order; returns the accepted answer, the last failure, or `AllUnavailable`. */
export async function failover(
  targets: readonly Target[],
  o: FailoverOptions,
): Promise<AttemptResult | AllUnavailable> {
  let last: AttemptResult | undefined;
  let earliest = Infinity;
  let n = 0;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    const id = { upstream: t.upstream.name, deployment: t.deployment.name };
    for (let retry = 0;; retry++) {
      const admitted = t.health.admit(o.clock());
      if (!admitted.ok) {
        earliest = Math.min(earliest, admitted.until);
        o.tried.push({ ...id, status: null, error: admitted.reason, ms: 0 });
        break;
      }
      const began = o.clock();
      const r = await o.attempt(t, n++);
      o.tried.push({ ...id, ...attemptReason(r), ms: Math.round((o.clock() - began) * 1000) / 1000 });
      if (r.ok || !r.retryable) return r;
      last = r;
      if (retry >= t.retry.retries) break;
      const wait = r.retryAfterMs;
      if (wait !== undefined && wait > t.retry.maxBackoffMs) break;
      if (r.answer?.res.status === 429 && availableAfter(targets, i, o.clock())) break;
      await o.sleep(wait ?? backoffDelay(t.retry, retry + 1, o.random), o.signal);
    }
  }
  return last ?? { unavailable: true, until: earliest };
}

function availableAfter(targets: readonly Target[], i: number, now: number): boolean {
  for (let j = i + 1; j < targets.length; j++) if (targets[j]!.health.peek(now).ok) return true;
  return false;
}

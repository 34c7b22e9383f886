/** Token-bucket state and the OpenAI style of durations in rate-limit headers. */

/** Mutable state of one bucket: `level` units available at time `at`, out of `limit` per window. */
export interface BucketState {
  level: number;
  at: number;
  limit: number;
}

/** Operations on one bucket. */
export interface Bucket {
  /** Units available at `t` (refilled continuously, capped at the limit; negative while in debt). */
  available(t: number): number;
  /** Sets the units available at `t` (never below minus one window's allowance). */
  set(t: number, level: number): void;
}

/** The id of a scope's bucket of `kind` (`key:k1|r`, `project:demo|t`). */
export function bucketId(scope: string, kind: "requests" | "tokens"): string {
  return `${scope}|${kind === "requests" ? "r" : "t"}`;
}

/** A duration as OpenAI's `x-ratelimit-reset-*` headers write it: `120ms`, `1s`, `1.5s`, `6m0s`, `1h2m3s`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total < 1000) return `${total}ms`;
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = Math.round((total % 60_000) / 10) / 100;
  if (h > 0) return `${h}h${m}m${s}s`;
  return m > 0 ? `${m}m${s}s` : `${s}s`;
}

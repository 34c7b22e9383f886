/**
 * Per-scope rate limits (RPM and TPM) as token buckets — GCRA in effect: a bucket holds one minute's
 * allowance, refills continuously, and a full minute's burst is allowed. Tokens are charged at admission
 * with an estimate (prompt + requested output) and settled to the real usage when the call ends; an
 * under-estimate leaves the bucket in debt, which delays the next calls instead of losing the usage. The
 * buckets live in memory; at start the gateway charges them again with the last minute's logged calls
 * (`restore()`), so a restart does not refill them.
 */
import { GatewayError } from "../core/errors.ts";
import type { LimitScope, ResolvedPolicy } from "./policy.ts";
import { type Bucket, bucketId, type BucketState, formatDuration } from "./bucket.ts";
import { type BucketCharge, LIMITER_REFUSALS, type RateHistory } from "./rate_history.ts";

/** Options of `createRateLimiter()`. */
export interface RateLimiterOptions {
  /** Monotonic clock in ms (only differences matter). Default `performance.now`. */
  clock?: () => number;
  /** Length of the window the limits are per; default 60000 (per minute). */
  windowMs?: number;
  /** Most buckets kept; idle (full) ones are dropped first. Default 100000. */
  maxBuckets?: number;
}

/** An admitted call: rate-limit headers for the response, and `settle` once the real usage is known. */
export interface Admission {
  /** `x-ratelimit-*` headers (OpenAI style) of the tightest request and token limits. */
  readonly headers: Record<string, string>;
  /** Corrects the token charge from the estimate to `actualTokens`; later calls are ignored. */
  settle(actualTokens: number): void;
}

/** The rate limiter of one gateway process. */
export interface RateLimiter {
  /** Charges one request and `estimatedTokens` to every scope of the caller, or throws 429. */
  admit(caller: { policy: Pick<ResolvedPolicy, "scopes"> }, options: { estimatedTokens: number }): Admission;
  /**
   * Takes the charges of calls made before this process started (`history`, in wall-clock ms; `wallNow`
   * is the wall clock now, default `Date.now()`): each bucket gets its own when it is first used, those
   * older than one window left out. Called before the first `admit`.
   */
  restore(history: RateHistory, wallNow?: number): void;
}

/** One bucket a call is charged on. */
export interface Charge {
  scope: LimitScope;
  kind: "requests" | "tokens";
  limit: number;
  need: number;
  bucket: BucketState;
}

const NO_HEADERS: Admission = Object.freeze({ headers: Object.freeze({}), settle() {} }) as Admission;

/** Creates a rate limiter with in-memory buckets. */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const now = options.clock ?? (() => performance.now());
  const windowMs = options.windowMs ?? 60_000;
  const maxBuckets = options.maxBuckets ?? 100_000;
  const buckets = new Map<string, BucketState>();
  // Charges from before the start on this clock, per bucket id, until one window after `restore()`.
  const past = new Map<string, BucketCharge[]>();
  let pastUntil = -Infinity;

  const bucketOf = (id: string, limit: number, t: number): BucketState => {
    let b = buckets.get(id);
    if (b === undefined) {
      if (buckets.size >= maxBuckets) sweep(t);
      b = { level: limit, at: t, limit };
      if (past.size > 0) replay(id, b, t);
      buckets.set(id, b);
    } else if (b.limit !== limit) {
      // A changed limit keeps what was used in the window: used = old limit - available.
      const used = b.limit - bucket(b).available(t);
      b.level = Math.max(-limit, limit - used);
      b.at = t;
      b.limit = limit;
    }
    return b;
  };

  const sweep = (t: number) => {
    for (const [id, b] of buckets) if (bucket(b).available(t) >= b.limit) buckets.delete(id);
    for (const id of buckets.keys()) {
      if (buckets.size < maxBuckets) break;
      buckets.delete(id);
    }
  };

  // A new bucket starts full at its first past charge and takes them in order, as `admit` and `settle` did.
  const replay = (id: string, b: BucketState, t: number) => {
    if (t > pastUntil) {
      past.clear();
      return;
    }
    const charges = past.get(id);
    if (charges === undefined) return;
    past.delete(id);
    const view = bucket(b);
    for (const c of charges) {
      if (c.at <= t - windowMs) continue;
      if (b.at > c.at) b.at = c.at;
      view.set(c.at, view.available(c.at) - c.units);
    }
  };

  const bucket = (b: BucketState): Bucket => ({
    available: (t) => Math.min(b.limit, b.level + ((t - b.at) * b.limit) / windowMs),
    set(t, level) {
      b.level = Math.max(-b.limit, level);
      b.at = t;
    },
  });

  return {
    admit(caller, { estimatedTokens }) {
      const scopes = caller.policy.scopes;
      if (!scopes.some((s) => s.rpm !== null || s.tpm !== null)) return NO_HEADERS;
      const t = now();
      const tokens = Math.max(1, Math.ceil(estimatedTokens));
      const charges: Charge[] = [];
      for (const scope of scopes) {
        if (scope.rpm !== null) {
          const b = bucketOf(bucketId(scope.id, "requests"), scope.rpm, t);
          charges.push({ scope, kind: "requests", limit: scope.rpm, need: 1, bucket: b });
        }
        if (scope.tpm !== null) {
          const b = bucketOf(bucketId(scope.id, "tokens"), scope.tpm, t);
          charges.push({ scope, kind: "tokens", limit: scope.tpm, need: tokens, bucket: b });
        }
      }
      let denied: { charge: Charge; waitMs: number } | null = null;
      for (const c of charges) {
        const available = bucket(c.bucket).available(t);
        if (available >= c.need) continue;
        const waitMs = c.need > c.limit ? windowMs : ((c.need - available) * windowMs) / c.limit;
        if (denied === null || waitMs > denied.waitMs) denied = { charge: c, waitMs };
      }
      if (denied !== null) {
        const headers = rateHeaders(charges, t, windowMs, bucket);
        const seconds = Math.max(1, Math.ceil(denied.waitMs / 1000));
        headers["retry-after"] = String(seconds);
        headers["retry-after-ms"] = String(Math.ceil(denied.waitMs));
        throw new GatewayError(
          429,
          "rate_limit_exceeded",
          denialMessage(denied.charge, t, denied.waitMs, bucket),
          {
            headers,
          },
        );
      }
      for (const c of charges) {
        const b = bucket(c.bucket);
        b.set(t, b.available(t) - c.need);
      }
      const headers = rateHeaders(charges, t, windowMs, bucket);
      let settled = false;
      return {
        headers,
        settle(actualTokens) {
          if (settled) return;
          settled = true;
          const delta = Math.max(0, Math.ceil(actualTokens)) - tokens;
          if (delta === 0) return;
          const at = now();
          for (const c of charges) {
            if (c.kind !== "tokens") continue;
            const b = bucket(c.bucket);
            b.set(at, b.available(at) - delta);
          }
        },
      };
    },
    restore(history, wallNow = Date.now()) {
      const t = now();
      for (const [id, charges] of history.buckets()) {
        // A charge's age on the wall clock is its age on this one; one "from the future" (skew) counts now.
        const onClock = charges
          .map((c) => ({ at: t - Math.max(0, wallNow - c.at), units: c.units }))
          .filter((c) => c.at > t - windowMs)
          .sort((a, b) => a.at - b.at);
        if (onClock.length > 0) past.set(id, onClock);
      }
      pastUntil = t + windowMs;
    },
  };
}

/** `x-ratelimit-*` headers of the tightest request and token charges. */
export function rateHeaders(
  charges: Charge[],
  t: number,
  windowMs: number,
  bucket: (b: BucketState) => Bucket,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const kind of ["requests", "tokens"] as const) {
    let tightest: { c: Charge; available: number } | null = null;
    for (const c of charges) {
      if (c.kind !== kind) continue;
      const available = bucket(c.bucket).available(t);
      if (tightest === null || available / c.limit < tightest.available / tightest.c.limit) {
        tightest = { c, available };
      }
    }
    if (tightest === null) continue;
    const { c, available } = tightest;
    headers[`x-ratelimit-limit-${kind}`] = String(c.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(Math.max(0, Math.floor(available)));
    headers[`x-ratelimit-reset-${kind}`] = formatDuration(((c.limit - available) * windowMs) / c.limit);
  }
  return headers;
}

/** The 429 message naming the scope and limit that refused `c`. */
export function denialMessage(
  c: Charge,
  t: number,
  waitMs: number,
  bucket: (b: BucketState) => Bucket,
): string {
  const [kind, id] = c.scope.id.includes(":") ? c.scope.id.split(/:(.*)/s) : [c.scope.id, ""];
  const who = id ? `${kind} "${id}"` : kind;
  const unit = c.kind === "requests" ? "requests per minute (RPM)" : "tokens per minute (TPM)";
  if (c.need > c.limit) {
    return `${LIMITER_REFUSALS[1]}${who} on ${unit}: limit ${c.limit}, requested ${c.need}`;
  }
  const used = Math.max(0, Math.ceil(c.limit - bucket(c.bucket).available(t)));
  return `${LIMITER_REFUSALS[0]}${who} on ${unit}: limit ${c.limit}, used ${used}, requested ${c.need}. ` +
    `Try again in ${formatDuration(waitMs)}`;
}

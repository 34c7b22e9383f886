/**
 * RPM/TPM limits shared by every replica: the same token buckets as the local limiter, kept in Redis and
 * charged by one script per call (all of the caller's scopes at once, all or nothing), so three replicas
 * admit together what one would. Settlement to the real token usage is one more script, off the request
 * path. While Redis is unavailable the local limiter answers (`open`) or the call gets 503 (`closed`).
 */
import type { LimitScope, ResolvedPolicy } from "../governance/policy.ts";
import {
  type Admission,
  type Charge,
  denialMessage,
  rateHeaders,
  type RateLimiter,
} from "../governance/rate_limit.ts";
import type { BucketState } from "../governance/bucket.ts";
import { GatewayError } from "../core/errors.ts";
import type { SharedClient } from "./client.ts";
import { CHARGE, evalScript } from "./lua.ts";

/** Options of `createSharedRateLimiter()`. */
export interface SharedRateLimiterOptions {
  /** Answers while Redis is unavailable and `on_unavailable` is `open`. */
  local: RateLimiter;
  /** Window length; default 60000. */
  windowMs?: number;
  /** Reports a settlement that could not be written. */
  onError?: (err: unknown) => void;
}

/** A limiter whose `admit` takes one Redis round trip. */
export interface SharedRateLimiter {
  /** Charges one request and the estimated tokens on every scope of the caller, or throws 429. */
  admit(
    caller: { policy: Pick<ResolvedPolicy, "scopes"> },
    o: { estimatedTokens: number },
  ): Promise<Admission>;
  /** Resolves once every token settlement started so far was written or given up. */
  idle(): Promise<void>;
}

const NO_HEADERS: Admission = Object.freeze({ headers: Object.freeze({}), settle() {} }) as Admission;
const READ = { available: (_t: number) => 0, set() {} };

/** Creates the Redis-backed limiter over `shared`. */
export function createSharedRateLimiter(
  shared: SharedClient,
  options: SharedRateLimiterOptions,
): SharedRateLimiter {
  const windowMs = options.windowMs ?? 60_000;
  const onError = options.onError ?? (() => {});
  const pending = new Set<Promise<void>>();
  const keyOf = (scope: LimitScope, kind: "r" | "t") => `${shared.prefix}rate:${scope.id}:${kind}`;

  return {
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    async admit(caller, { estimatedTokens }) {
      const scopes = caller.policy.scopes;
      if (!scopes.some((s) => s.rpm !== null || s.tpm !== null)) return NO_HEADERS;
      const tokens = Math.max(1, Math.ceil(estimatedTokens));
      const charges: Charge[] = [];
      const keys: string[] = [];
      const args: number[] = [windowMs];
      for (const scope of scopes) {
        if (scope.rpm !== null) {
          charges.push({ scope, kind: "requests", limit: scope.rpm, need: 1, bucket: state(scope.rpm) });
          keys.push(keyOf(scope, "r"));
          args.push(scope.rpm, 1);
        }
        if (scope.tpm !== null) {
          charges.push({ scope, kind: "tokens", limit: scope.tpm, need: tokens, bucket: state(scope.tpm) });
          keys.push(keyOf(scope, "t"));
          args.push(scope.tpm, tokens);
        }
      }
      const answer = await shared.run(
        "rate_limit",
        (r) => evalScript(r, CHARGE, keys, args) as Promise<(string | number)[]>,
        () => null,
      );
      if (answer === null) return options.local.admit(caller, { estimatedTokens });
      const admitted = Number(answer[0]) === 1;
      charges.forEach((c, i) => c.bucket.level = Number(answer[i + 2]));
      const view = (b: BucketState) => ({ ...READ, available: () => b.level });
      const headers = rateHeaders(charges, 0, windowMs, view);
      if (!admitted) {
        let denied: { charge: Charge; waitMs: number } | null = null;
        for (const c of charges) {
          if (c.bucket.level >= c.need) continue;
          const waitMs = c.need > c.limit ? windowMs : ((c.need - c.bucket.level) * windowMs) / c.limit;
          if (denied === null || waitMs > denied.waitMs) denied = { charge: c, waitMs };
        }
        const waitMs = denied?.waitMs ?? windowMs;
        headers["retry-after"] = String(Math.max(1, Math.ceil(waitMs / 1000)));
        headers["retry-after-ms"] = String(Math.ceil(waitMs));
        throw new GatewayError(
          429,
          "rate_limit_exceeded",
          denialMessage(denied!.charge, 0, waitMs, view),
          { headers },
        );
      }
      const tokenKeys = keys.filter((_, i) => charges[i]!.kind === "tokens");
      let settled = false;
      return {
        headers,
        settle(actualTokens) {
          if (settled) return;
          settled = true;
          const delta = Math.max(0, Math.ceil(actualTokens)) - tokens;
          if (delta === 0 || tokenKeys.length === 0) return;
          const p = shared.attempt(() => shared.settle("a", tokenKeys, [windowMs, delta])).then((ok) => {
            if (!ok) onError(new Error("Cannot settle shared token counts: Redis is unavailable"));
          }).finally(() => pending.delete(p));
          pending.add(p);
        },
      };
    },
  };
}

function state(limit: number): BucketState {
  return { level: limit, at: 0, limit };
}

/**
 * Governance as the running gateway plugs it in: per config generation (start, each reload) a caller
 * resolver plus the admission stage that checks policy and rate limits, and what governance takes from
 * counters shared by replicas. The server wires them up (`src/server/governance.ts`).
 */
import type { AdmissionStage } from "../core/admission.ts";
import type { Caller } from "../core/caller.ts";
import type { GovernedCaller } from "./caller.ts";
import { checkPolicy } from "./check.ts";
import { estimateTokens } from "./estimate.ts";
import type { Admission, RateLimiter } from "./rate_limit.ts";
import type { CallRecord } from "../core/record.ts";
import type { CallerResolverOptions } from "./resolver.ts";

/** What governance takes from counters shared by replicas. */
export interface SharedGovernance {
  /** Wraps the local limiter (the fallback) into the shared one. */
  limiter(local: RateLimiter): {
    admit(caller: GovernedCaller, o: { estimatedTokens: number }): Admission | Promise<Admission>;
  };
  /** Shared token use counts. */
  uses: NonNullable<CallerResolverOptions["sharedUses"]>;
  /** Tells the other replicas that callers changed. */
  announce(): void;
  /** Runs `listener` when another replica (or this one) changed callers. */
  onNotice(listener: () => void): void;
}

/** Caller resolution and admission for one config generation. */
export interface GovernedPipeline {
  authenticate(headers: Headers): Caller | Promise<Caller>;
  admission: AdmissionStage;
}

/** The policy and rate-limit admission stage over a limiter. */
export function governanceStage(limiter: {
  admit(caller: GovernedCaller, o: { estimatedTokens: number }): Admission | Promise<Admission>;
}): AdmissionStage {
  return (ctx) => {
    const caller = ctx.caller as Partial<GovernedCaller>;
    if (caller.policy === undefined) return; // a caller without policy (config keys in bare tests)
    const governed = caller as GovernedCaller;
    checkPolicy(governed, {
      operation: ctx.route.operation,
      model: ctx.model,
      body: ctx.body,
      bodyBytes: ctx.bodyBytes,
    });
    const admission = limiter.admit(governed, { estimatedTokens: estimateTokens(ctx.body).total });
    return admission instanceof Promise ? admission.then(ticketOf) : ticketOf(admission);
  };
}

function ticketOf(admission: Admission) {
  return {
    headers: admission.headers,
    // A failed call has no usage: its estimate is refunded.
    settle: (record: CallRecord) => admission.settle(record.usage?.totalTokens ?? 0),
  };
}

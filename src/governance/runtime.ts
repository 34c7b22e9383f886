/**
 * Governance as the running gateway uses it: one store, one rate limiter and one management API for the
 * life of the process, and per config generation (start, each reload) a caller resolver over that
 * config's keys plus the admission stage that checks policy and rate limits.
 */
import type { Config } from "../config/types.ts";
import type { Store } from "../store/types.ts";
import type { CallerKey } from "../pipeline/auth.ts";
import type { AdmissionStage } from "../pipeline/admission.ts";
import type { Caller } from "../pipeline/auth.ts";
import type { GovernedCaller } from "./caller.ts";
import { checkPolicy } from "./check.ts";
import { estimateTokens } from "./estimate.ts";
import type { Admission } from "./rate_limit.ts";
import type { CallRecord } from "../pipeline/record.ts";
import { type CallerResolver, createCallerResolver } from "./resolver.ts";
import { type Governance, type GovernanceOptions, setupGovernance } from "./setup.ts";

/** Caller resolution and admission for one config generation. */
export interface GovernedPipeline {
  authenticate(headers: Headers): Caller | Promise<Caller>;
  admission: AdmissionStage;
}

/** Governance parts that outlive config reloads. */
export interface GovernanceRuntime {
  /** Builds the resolver and admission stage for a (re)loaded config. */
  forConfig(config: Config, callerKeys: readonly CallerKey[]): GovernedPipeline;
  /** The `/manage/*` handler. */
  manage(req: Request): Promise<Response>;
  /** The resolved management tokens and in-process management contexts (for the admin UI). */
  admin: Pick<Governance, "tokens" | "manageContext" | "refreshTokens">;
  /** The store (its health, and the pool records are shipped on with PostgreSQL). */
  store: Store;
  /** Writes pending token uses and closes the store. */
  close(): Promise<void>;
  /** The audit trail, newest first (the event bus turns new entries into `azmw.caller.changed`). */
  listAudit?: Store["listAudit"];
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

/** Opens the store and builds what stays for the process's life. */
export async function openGovernance(
  config: Config,
  options: GovernanceOptions,
): Promise<GovernanceRuntime> {
  let current: CallerResolver | null = null;
  const gov = await setupGovernance(config, { ...options, onChange: () => current?.invalidate() });
  current = gov.resolver;
  const resolvers = new Set<CallerResolver>([gov.resolver]);
  const stage = governanceStage(gov.admitter);
  options.shared?.onNotice(() => {
    for (const r of resolvers) r.invalidate();
  });
  // A change made through another replica drops the cached lookups here too (a shared store only).
  const stopListening = gov.store.onChange?.(() => {
    for (const r of resolvers) r.invalidate();
  });
  let first = true;
  return {
    forConfig(next, callerKeys) {
      if (first) {
        first = false; // setupGovernance already built the resolver of the starting config
      } else {
        current = createCallerResolver(gov.store, {
          configKeys: callerKeys,
          required: next.auth.required,
          defaults: next.policy ?? {},
          ...(options.now ? { now: options.now } : {}),
          cacheTtlMs: next.manage?.cacheTtlMs ?? 1_000,
          tokenUses: { onError: options.onError ?? (() => {}) },
          ...(options.shared ? { sharedUses: options.shared.uses } : {}),
        });
        resolvers.add(current);
      }
      const resolver = current!;
      return { authenticate: (h) => resolver.authenticate(h), admission: stage };
    },
    manage: gov.manage,
    admin: { tokens: gov.tokens, manageContext: gov.manageContext, refreshTokens: gov.refreshTokens },
    listAudit: (query) => gov.store.listAudit(query),
    store: gov.store,
    async close() {
      stopListening?.();
      for (const r of resolvers) await r.flush();
      await gov.store.close();
    },
  };
}

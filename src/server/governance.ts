/**
 * Governance wired for the running gateway: the store, the caller resolver, the rate limiter and the
 * management API (its tokens resolved from their secret references), built once per process; per config
 * generation a fresh resolver over that config's keys.
 */
import { createManageApi } from "../admin/api.ts";
import type { ManagementTokens } from "../admin/token_roles.ts";
import type { ManageContext } from "../admin/context.ts";
import { secureRandom } from "../admin/credentials.ts";
import { MANAGE_DEFAULTS } from "../config/schema_manage.ts";
import { resolveSecret, type SecretDeps } from "../config/secrets.ts";
import type { Config } from "../config/types.ts";
import type { CallerKey } from "../core/caller.ts";
import { openStore, storePath } from "../store/mod.ts";
import type { Actor, Store } from "../store/types.ts";
import { governanceStage, type GovernedPipeline, type SharedGovernance } from "../governance/runtime.ts";
import { type CallerResolver, createCallerResolver } from "../governance/resolver.ts";
import { createRateLimiter, type RateLimiter } from "../governance/rate_limit.ts";
import type { RateHistory } from "../governance/rate_history.ts";

/** Options of `setupGovernance()`. */
export interface GovernanceOptions extends SecretDeps {
  /** The config's caller keys, resolved to digests (`resolveCallerKeys()`). */
  callerKeys: readonly CallerKey[];
  /** Use this store instead of opening the configured one (tests). */
  store?: Store;
  /** Wall clock in ms (expiry, cache, audit times). */
  now?: () => number;
  /** Clock of the rate limiter; default `performance.now`. */
  clock?: () => number;
  /** Reports background failures (token-use writes, unexpected management errors). */
  onError?: (err: unknown) => void;
  /** Runs after each change through the management API (default: drop the resolver's cache). */
  onChange?: () => void;
  /** Limits shared with other replicas (Redis); absent means every limit is local. */
  shared?: SharedGovernance;
}

/** The governance parts the gateway wires in. */
export interface Governance {
  store: Store;
  resolver: CallerResolver;
  limiter: RateLimiter;
  /** The limiter admission uses: the shared one when there is one, else `limiter`. */
  admitter: ReturnType<SharedGovernance["limiter"]>;
  /** The `/manage/*` handler. */
  manage: (req: Request) => Promise<Response>;
  /** The management tokens as resolved (the admin UI signs in with them); null when not set. Live. */
  tokens: ManagementTokens;
  /** Resolves the management tokens again (a rotated Key Vault secret); the API and UI use the new ones. */
  refreshTokens(): Promise<void>;
  /** A context to run management handlers in-process as `actor` (the admin UI's changes). */
  manageContext(actor: Actor): ManageContext;
  /** Writes pending token uses and closes the store. */
  close(): Promise<void>;
}

/** Opens the store and builds resolver, limiter and management API from `config`. */
export async function setupGovernance(config: Config, options: GovernanceOptions): Promise<Governance> {
  const secrets = {
    ...(options.env ? { env: options.env } : {}),
    ...(options.readTextFile ? { readTextFile: options.readTextFile } : {}),
    ...(options.external ? { external: options.external } : {}),
    source: config.source,
  };
  const manage = config.manage;
  const resolveTokens = async (): Promise<ManagementTokens> => ({
    admin: manage?.token ? await resolveSecret(manage.token, { ...secrets, path: "manage.token" }) : null,
    reader: manage?.readerToken
      ? await resolveSecret(manage.readerToken, { ...secrets, path: "manage.reader_token" })
      : null,
  });
  // Live: a rotation (`refreshTokens`) replaces the values, and the API and the admin UI follow.
  const tokens = await resolveTokens();
  const now = options.now ?? Date.now;
  const onError = options.onError ?? (() => {});
  const store = options.store ?? await openStore(storePath(config), {
    ...secrets,
    // A PostgreSQL store that cannot be reached is reported once per outage (it retries by itself).
    onStateChange: (up, err) => up ? undefined : onError(err),
  });
  const resolver = createCallerResolver(store, {
    configKeys: options.callerKeys,
    required: config.auth.required,
    defaults: config.policy ?? {},
    now,
    cacheTtlMs: manage?.cacheTtlMs ?? MANAGE_DEFAULTS.cacheTtlMs,
    tokenUses: { onError },
    ...(options.shared ? { sharedUses: options.shared.uses } : {}),
  });
  const limiter = createRateLimiter(options.clock ? { clock: options.clock } : {});
  const onChange = options.onChange ?? resolver.invalidate;
  const shared = options.shared;
  const changed = shared ? () => (onChange(), shared.announce()) : onChange;
  const api = createManageApi(store, { tokens, now, onChange: changed, onError });
  return {
    store,
    resolver,
    limiter,
    admitter: shared ? shared.limiter(limiter) : limiter,
    manage: api,
    tokens,
    async refreshTokens() {
      Object.assign(tokens, await resolveTokens());
    },
    manageContext: (actor) => ({ store, now, random: secureRandom, actor, onChange: changed }),
    async close() {
      await resolver.flush();
      await store.close();
    },
  };
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
  /** Charges the local rate limiter with calls made before this start (call before serving). */
  restoreRates(history: RateHistory): void;
  /** The audit trail, newest first (the event bus turns new entries into `azmw.caller.changed`). */
  listAudit?: Store["listAudit"];
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
          cacheTtlMs: next.manage?.cacheTtlMs ?? MANAGE_DEFAULTS.cacheTtlMs,
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
    restoreRates: (history) => gov.limiter.restore(history),
    async close() {
      stopListening?.();
      for (const r of resolvers) await r.flush();
      await gov.store.close();
    },
  };
}

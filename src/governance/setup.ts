/**
 * One call that builds everything governance needs from a config: the store, the caller resolver, the
 * rate limiter and the management API (its tokens resolved from their secret references).
 */
import { createManageApi } from "../admin/api.ts";
import { resolveSecret, type SecretDeps } from "../config/secrets.ts";
import type { Config } from "../config/types.ts";
import type { CallerKey } from "../pipeline/auth.ts";
import { openStore, storePath } from "../store/mod.ts";
import type { Store } from "../store/types.ts";
import { type CallerResolver, createCallerResolver } from "./resolver.ts";
import { createRateLimiter, type RateLimiter } from "./rate_limit.ts";

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
}

/** The governance parts the gateway wires in. */
export interface Governance {
  store: Store;
  resolver: CallerResolver;
  limiter: RateLimiter;
  /** The `/manage/*` handler. */
  manage: (req: Request) => Promise<Response>;
  /** Writes pending token uses and closes the store. */
  close(): Promise<void>;
}

/** Opens the store and builds resolver, limiter and management API from `config`. */
export async function setupGovernance(config: Config, options: GovernanceOptions): Promise<Governance> {
  const secrets = {
    ...(options.env ? { env: options.env } : {}),
    ...(options.readTextFile ? { readTextFile: options.readTextFile } : {}),
    source: config.source,
  };
  const manage = config.manage;
  const adminToken = manage?.token
    ? await resolveSecret(manage.token, { ...secrets, path: "manage.token" })
    : null;
  const readerToken = manage?.readerToken
    ? await resolveSecret(manage.readerToken, { ...secrets, path: "manage.reader_token" })
    : null;
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
    cacheTtlMs: manage?.cacheTtlMs ?? 1_000,
    tokenUses: { onError },
  });
  const limiter = createRateLimiter(options.clock ? { now: options.clock } : {});
  const api = createManageApi(store, {
    adminToken,
    readerToken,
    now,
    onChange: options.onChange ?? resolver.invalidate,
    onError,
  });
  return {
    store,
    resolver,
    limiter,
    manage: api,
    async close() {
      await resolver.flush();
      await store.close();
    },
  };
}

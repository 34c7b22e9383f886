/** Opening the PostgreSQL store from a `postgres://` URL: one pool, migrations, the credential snapshot. */
import type { Sql } from "postgres";
import { isSecretRef, resolveSecret, type SecretDeps } from "../config/secrets.ts";
import type { Config } from "../config/types.ts";
import { PostgresStore } from "./postgres.ts";
import { SharedStore, type SharedStoreOptions } from "./postgres_shared.ts";

/** Whether `location` names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The PostgreSQL URL of the config's `manage.store` (a secret reference resolved), or `null` for SQLite. */
export async function postgresUrlOf(
  config: Pick<Config, "manage" | "source">,
  deps: SecretDeps = {},
): Promise<string | null> {
  const location = config.manage?.store;
  if (location === undefined) return null;
  const url = isSecretRef(location)
    ? await resolveSecret(location, { ...deps, path: "manage.store", source: config.source })
    : location;
  return isPostgresUrl(url) ? url : null;
}

/** Options of `openPostgresPool()`. */
export interface PoolOptions {
  /** Most connections; default 10. */
  max?: number;
  /** Seconds to wait for a connection; default 5. */
  connectTimeoutS?: number;
  /** Called once per query sent (counting, tests). */
  onQuery?: () => void;
}

/**
 * A postgres.js pool on `url` (connects lazily: an unreachable server fails the first query). The library
 * is loaded here, on first use, so configs on SQLite never pay its memory.
 */
export async function openPostgresPool(url: string, options: PoolOptions = {}): Promise<Sql> {
  const onQuery = options.onQuery;
  const { default: postgres } = await import("postgres");
  return postgres(url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeoutS ?? 5,
    idle_timeout: 60,
    onnotice: () => {},
    ...(onQuery ? { debug: () => onQuery() } : {}),
    connection: { application_name: "azmw" },
  });
}

/**
 * Opens the store at `url`: migrates (under a lock shared by every replica) and loads the credential
 * snapshot. A server that does not answer does not fail the open: the store reports itself down and
 * keeps trying in the background.
 */
export async function openPostgresStore(
  url: string,
  options: SharedStoreOptions & PoolOptions = {},
): Promise<SharedStore> {
  let queries = 0;
  const sql = await openPostgresPool(url, {
    ...options,
    onQuery: () => {
      queries++;
      options.onQuery?.();
    },
  });
  const store = new SharedStore(new PostgresStore(sql), { ...options, queries: () => queries });
  await store.start();
  return store;
}

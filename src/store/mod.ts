/**
 * The store of projects, API keys, withering tokens, their policies and the audit trail: an async
 * interface (`Store`) with the embedded SQLite implementation and the PostgreSQL one shared by several
 * replicas, plus the public views the management API
 * and the audit trail show.
 *
 * ```ts
 * import { openStore, storePath } from "./src/store/mod.ts";
 * const store = await openStore(storePath(config));
 * ```
 *
 * @module
 */
import { dirname } from "node:path";
import { MANAGE_DEFAULTS } from "../config/schema_manage.ts";
import type { Config } from "../config/types.ts";
import { isSecretRef, resolveSecret, type SecretDeps } from "../config/secrets.ts";
import { isPostgresUrl, openPostgresStore } from "./postgres_open.ts";
import type { SharedStoreOptions } from "./postgres_shared.ts";
import { openSqliteStore, type SqliteStoreOptions } from "./sqlite.ts";
import type { Store } from "./types.ts";

export type * from "./types.ts";
export { StoreError } from "./types.ts";
export { MIGRATIONS, SCHEMA_VERSION } from "./migrations.ts";
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from "./sqlite.ts";
export * from "./views.ts";
export { isPostgresUrl, openPostgresStore } from "./postgres_open.ts";
export { SharedStore } from "./postgres_shared.ts";

/** Where the config keeps its store: `manage.store` (a path, URL or secret reference), else `<server.data_dir>/azmw.db`. */
export function storePath(config: Pick<Config, "server" | "manage">): string {
  return config.manage?.store ?? `${config.server.dataDir.replace(/\/+$/, "")}/${MANAGE_DEFAULTS.storeFile}`;
}

/** Options of `openStore()`. */
export interface OpenStoreOptions extends SqliteStoreOptions, SecretDeps, SharedStoreOptions {
  /** Name of the config, for the error of a secret reference that does not resolve. */
  source?: string;
}

/**
 * Opens the store at `location`: a `postgres://` URL (the shared store of several replicas), a SQLite
 * file (created with its directory, mode 0700, when missing) or `:memory:` for tests. A secret reference
 * (`env:AZMW_DATABASE_URL`) is resolved first.
 */
export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<Store> {
  const path = isSecretRef(location)
    ? await resolveSecret(location, { ...options, path: "manage.store" })
    : location;
  if (isPostgresUrl(path)) return await openPostgresStore(path, options);
  if (path !== ":memory:") {
    await Deno.mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // The store holds digests and the audit trail: readable by its owner only (SQLite's -wal and -shm
    // files take the same mode).
    try {
      await Deno.writeFile(path, new Uint8Array(), { createNew: true, mode: 0o600 });
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    }
  }
  return openSqliteStore(path, options);
}

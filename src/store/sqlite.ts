/**
 * The embedded store on SQLite (`node:sqlite`): one file under the data dir, WAL mode, versioned
 * migrations. Calls are synchronous underneath; each change and its audit entry commit in one
 * transaction, so the trail never misses or invents a change.
 */
import { DatabaseSync } from "node:sqlite";
import { migrate, type Migration } from "./migrations.ts";
import { Db, run } from "./sqlite_db.ts";
import { createKey, getKey, listKeys, rotateKey, updateKey } from "./sqlite_keys.ts";
import {
  createProject,
  deleteProject,
  getProject,
  getProjectById,
  listProjects,
  updateProject,
} from "./sqlite_projects.ts";
import { auditFromRow, decodeCursor, keyFromRow, type Row, tokenFromRow, toPage } from "./sqlite_rows.ts";
import {
  addTokenUses,
  createToken,
  getToken,
  listTokens,
  takeTokenUse,
  updateToken,
} from "./sqlite_tokens.ts";
import type {
  ApiKey,
  AuditEntry,
  ChangeContext,
  Credential,
  KeyPatch,
  ListQuery,
  NewApiKey,
  NewProject,
  NewToken,
  Page,
  Project,
  ProjectPatch,
  Store,
  Token,
  TokenPatch,
} from "./types.ts";

/** Options of `openSqliteStore()`. */
export interface SqliteStoreOptions {
  /** Clock for migration timestamps (default `Date.now`). */
  now?: () => number;
  /** Migrations to apply (tests pin older schemas); default all. */
  migrations?: readonly Migration[];
}

/** Opens (creating and migrating as needed) the store at `path`; `:memory:` for tests. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const db = new DatabaseSync(path);
  try {
    // WAL lets the CLI write while the gateway reads; busy_timeout makes a writer wait instead of failing.
    if (path !== ":memory:") db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL");
    migrate(db, {
      now: options.now ?? Date.now,
      ...(options.migrations ? { migrations: options.migrations } : {}),
    });
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteStore(db);
}

/** `Store` on one SQLite database. */
export class SqliteStore implements Store {
  readonly #db: Db;

  /** Wraps an open, migrated database; use `openSqliteStore()`. */
  constructor(db: DatabaseSync) {
    this.#db = new Db(db);
  }

  /** Applied migration versions, oldest first. */
  schemaVersions(): number[] {
    return this.#db.all("SELECT version FROM schema_migrations ORDER BY version").map((r) =>
      Number(r.version)
    );
  }

  createProject(project: NewProject, ctx: ChangeContext): Promise<Project> {
    return run(() => createProject(this.#db, project, ctx));
  }

  getProject(name: string): Promise<Project | null> {
    return run(() => getProject(this.#db, name));
  }

  /** @inheritdoc */
  getProjectById(id: string): Promise<Project | null> {
    return run(() => getProjectById(this.#db, id));
  }

  /** @inheritdoc */
  deleteProject(name: string, ctx: ChangeContext): Promise<Project> {
    return run(() => deleteProject(this.#db, name, ctx));
  }

  listProjects(query: ListQuery): Promise<Page<Project>> {
    return run(() => listProjects(this.#db, query));
  }

  updateProject(name: string, patch: ProjectPatch, ctx: ChangeContext): Promise<Project> {
    return run(() => updateProject(this.#db, name, patch, ctx));
  }

  createKey(key: NewApiKey, ctx: ChangeContext): Promise<ApiKey> {
    return run(() => createKey(this.#db, key, ctx));
  }

  getKey(id: string): Promise<ApiKey | null> {
    return run(() => getKey(this.#db, id));
  }

  listKeys(query: ListQuery & { project?: string }): Promise<Page<ApiKey>> {
    return run(() => listKeys(this.#db, query));
  }

  updateKey(id: string, patch: KeyPatch, ctx: ChangeContext): Promise<ApiKey> {
    return run(() => updateKey(this.#db, id, patch, ctx));
  }

  rotateKey(
    id: string,
    next: NewApiKey,
    options: { graceUntil: number } & ChangeContext,
  ): Promise<{ previous: ApiKey; key: ApiKey }> {
    return run(() => rotateKey(this.#db, id, next, options));
  }

  createToken(token: NewToken, ctx: ChangeContext): Promise<Token> {
    return run(() => createToken(this.#db, token, ctx));
  }

  getToken(id: string): Promise<Token | null> {
    return run(() => getToken(this.#db, id));
  }

  listTokens(query: ListQuery & { project?: string }): Promise<Page<Token>> {
    return run(() => listTokens(this.#db, query));
  }

  updateToken(id: string, patch: TokenPatch, ctx: ChangeContext): Promise<Token> {
    return run(() => updateToken(this.#db, id, patch, ctx));
  }

  addTokenUses(uses: ReadonlyMap<string, number>): Promise<void> {
    return run(() => addTokenUses(this.#db, uses));
  }

  /** One autocommitted UPDATE: in WAL mode it is in the OS's hands (kill -9 safe) when this returns. */
  takeTokenUseSync(id: string, max: number): number | null {
    return takeTokenUse(this.#db, id, max);
  }

  findCredential(sha256: string): Promise<Credential | null> {
    return run((): Credential | null => {
      const keyRow = this.#db.one("SELECT * FROM api_keys WHERE sha256 = ?", sha256);
      if (keyRow !== undefined) {
        const key = keyFromRow(keyRow);
        return { kind: "key", key, project: getProject(this.#db, key.project) };
      }
      const tokenRow = this.#db.one("SELECT * FROM tokens WHERE sha256 = ?", sha256);
      if (tokenRow === undefined) return null;
      const token = tokenFromRow(tokenRow);
      return { kind: "token", token, project: getProject(this.#db, token.project) };
    });
  }

  listAudit(
    query: ListQuery & { project?: string; targetType?: AuditEntry["targetType"]; targetId?: string },
  ): Promise<Page<AuditEntry>> {
    return run(() => {
      const where = ["seq < ?"];
      const params: (string | number)[] = [decodeCursor(query.cursor) ?? Number.MAX_SAFE_INTEGER];
      const filters = [["project", query.project], ["target_type", query.targetType], [
        "target_id",
        query.targetId,
      ]] as const;
      for (const [column, value] of filters) {
        if (value === undefined) continue;
        where.push(`${column} = ?`);
        params.push(value);
      }
      const rows = this.#db.all(
        `SELECT * FROM audit WHERE ${where.join(" AND ")} ORDER BY seq DESC LIMIT ?`,
        ...params,
        query.limit + 1,
      ) as Row[];
      return toPage(rows, query.limit, auditFromRow);
    });
  }

  close(): Promise<void> {
    if (this.#db.raw.isOpen) this.#db.raw.close();
    return Promise.resolve();
  }
}

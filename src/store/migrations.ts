/**
 * Versioned schema migrations of the SQLite store. Each migration runs once, in order, inside a
 * transaction that also records it in `schema_migrations`; a database written by a newer azmw is refused
 * rather than guessed at. Never edit a released migration: add the next one.
 */
import type { DatabaseSync } from "node:sqlite";

/** One schema step. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "projects, api keys and audit trail",
    sql: `
      CREATE TABLE projects (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        metadata TEXT NOT NULL DEFAULT '{}',
        policy TEXT NOT NULL DEFAULT '{}',
        upstream_credentials TEXT NOT NULL DEFAULT '{}',
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE api_keys (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        project TEXT NOT NULL REFERENCES projects(name),
        name TEXT NOT NULL,
        prefix TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        policy TEXT NOT NULL DEFAULT '{}',
        expires_at INTEGER,
        disabled_at INTEGER,
        replaced_by TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX api_keys_by_project ON api_keys(project, seq);
      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        actor_role TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        action TEXT NOT NULL,
        target_type TEXT NOT NULL,
        target_id TEXT NOT NULL,
        project TEXT,
        before TEXT,
        after TEXT
      );
      CREATE INDEX audit_by_target ON audit(target_type, target_id, seq);
      CREATE INDEX audit_by_project ON audit(project, seq);
    `,
  },
  {
    version: 2,
    name: "withering tokens",
    sql: `
      CREATE TABLE tokens (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        project TEXT NOT NULL REFERENCES projects(name),
        name TEXT NOT NULL DEFAULT '',
        prefix TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        policy TEXT NOT NULL DEFAULT '{}',
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER,
        max_requests INTEGER,
        request_count INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX tokens_by_project ON tokens(project, seq);
    `,
  },
  {
    version: 3,
    name: "project ids and deletion",
    // Random UUIDs (version 4 layout) for the projects that exist; new ones get theirs from the store.
    sql: `
      ALTER TABLE projects ADD COLUMN id TEXT;
      ALTER TABLE projects ADD COLUMN deleted_at INTEGER;
      UPDATE projects SET id = lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||
        substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) ||
        substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)));
      CREATE UNIQUE INDEX projects_by_id ON projects(id);
    `,
  },
];

/** Version of the newest migration this build knows. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/**
 * Brings `db` up to the newest of `migrations`; returns the versions applied now (empty when current).
 * Throws when the database was written by a newer azmw.
 */
export function migrate(
  db: DatabaseSync,
  options: { now: () => number; migrations?: readonly Migration[] },
): number[] {
  const migrations = options.migrations ?? MIGRATIONS;
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const row = db.prepare("SELECT MAX(version) AS v FROM schema_migrations").get() as { v: number | null };
  const current = row.v ?? 0;
  const newest = migrations.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new Error(
      `The store's schema is version ${current}, newer than this azmw knows (${newest}); upgrade azmw`,
    );
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
        .run(m.version, m.name, options.now());
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw new Error(`Cannot apply store migration ${m.version} ("${m.name}"): ${(err as Error).message}`, {
        cause: err,
      });
    }
    applied.push(m.version);
  }
  return applied;
}

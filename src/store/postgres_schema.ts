/**
 * Versioned schema migrations of the PostgreSQL store: the same tables as the SQLite store (projects,
 * api_keys, tokens, audit) plus every replica's request records (`call_records`). Replicas that start at
 * once serialise on a transaction advisory lock, so each migration runs exactly once; a database written by a
 * newer azmw is refused. Never edit a released migration: add the next one.
 */
import type { Sql } from "postgres";

/** One schema step. */
export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

/** Key of the advisory lock that serialises migrations (the bytes of "azmwmigr"). */
export const MIGRATION_LOCK = 0x617a6d776d696772n;

/**
 * Every migration, oldest first. JSON columns are text, as in SQLite, so rows map the same way; `rev`
 * (from one sequence) changes on every write of a row, so replicas can follow changes incrementally.
 */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: "projects, api keys and audit trail",
    sql: `
      CREATE SEQUENCE azmw_rev;
      CREATE TABLE projects (
        seq BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        metadata TEXT NOT NULL DEFAULT '{}',
        policy TEXT NOT NULL DEFAULT '{}',
        upstream_credentials TEXT NOT NULL DEFAULT '{}',
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        rev BIGINT NOT NULL DEFAULT nextval('azmw_rev')
      );
      CREATE INDEX projects_by_rev ON projects(rev);
      CREATE TABLE api_keys (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        project TEXT NOT NULL REFERENCES projects(name),
        name TEXT NOT NULL,
        prefix TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        policy TEXT NOT NULL DEFAULT '{}',
        expires_at BIGINT,
        disabled_at BIGINT,
        replaced_by TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        rev BIGINT NOT NULL DEFAULT nextval('azmw_rev')
      );
      CREATE INDEX api_keys_by_project ON api_keys(project, seq);
      CREATE INDEX api_keys_by_rev ON api_keys(rev);
      CREATE TABLE audit (
        seq BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
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
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        project TEXT NOT NULL REFERENCES projects(name),
        name TEXT NOT NULL DEFAULT '',
        prefix TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        policy TEXT NOT NULL DEFAULT '{}',
        expires_at BIGINT NOT NULL,
        revoked_at BIGINT,
        max_requests BIGINT,
        request_count BIGINT NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        rev BIGINT NOT NULL DEFAULT nextval('azmw_rev')
      );
      CREATE INDEX tokens_by_project ON tokens(project, seq);
      CREATE INDEX tokens_by_rev ON tokens(rev);
    `,
  },
  {
    version: 3,
    name: "request records of every replica; origin of copied audit entries",
    sql: `
      CREATE TABLE call_records (
        id TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        ts TIMESTAMPTZ NOT NULL,
        instance TEXT NOT NULL,
        key_id TEXT,
        project TEXT,
        token_id TEXT,
        model TEXT,
        upstream TEXT,
        status TEXT,
        cost_eur DOUBLE PRECISION,
        meta JSONB NOT NULL,
        request JSONB,
        response JSONB
      );
      -- Bodies (sealed: incompressible) always leave the row, the metadata stays in it: scans of the
      -- metadata (spend rebuild, cost report) read a lean table.
      ALTER TABLE call_records SET (toast_tuple_target = 256);
      ALTER TABLE call_records ALTER COLUMN request SET STORAGE EXTERNAL,
        ALTER COLUMN response SET STORAGE EXTERNAL, ALTER COLUMN meta SET STORAGE MAIN;
      CREATE INDEX call_records_by_day ON call_records(day, instance);
      -- Streamed calls an upstream accepted; the call's record closes one. One left open is a stream the
      -- replica was serving when it stopped: spend counts it at its reservation.
      CREATE TABLE call_starts (
        id TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        instance TEXT NOT NULL,
        key_id TEXT,
        project TEXT,
        token_id TEXT,
        reserved_eur DOUBLE PRECISION,
        entry JSONB NOT NULL
      );
      CREATE INDEX call_starts_by_day ON call_starts(day);
      -- How far each replica has shipped each of its log files (bytes, up to a line end).
      CREATE TABLE call_record_files (
        instance TEXT NOT NULL,
        file TEXT NOT NULL,
        shipped_bytes BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (instance, file)
      );
      -- Where an audit entry copied by "azmw store migrate" came from, so a second copy skips it.
      ALTER TABLE audit ADD COLUMN origin TEXT UNIQUE;
    `,
  },
  {
    version: 4,
    name: "project ids and deletion",
    sql: `
      ALTER TABLE projects ADD COLUMN id TEXT;
      ALTER TABLE projects ADD COLUMN deleted_at BIGINT;
      UPDATE projects SET id = gen_random_uuid()::text;
      CREATE UNIQUE INDEX projects_by_id ON projects(id);
      -- A rename moves keys and tokens along in the same transaction: their references are checked at commit.
      ALTER TABLE api_keys DROP CONSTRAINT api_keys_project_fkey,
        ADD CONSTRAINT api_keys_project_fkey FOREIGN KEY (project) REFERENCES projects(name)
        DEFERRABLE INITIALLY IMMEDIATE;
      ALTER TABLE tokens DROP CONSTRAINT tokens_project_fkey,
        ADD CONSTRAINT tokens_project_fkey FOREIGN KEY (project) REFERENCES projects(name)
        DEFERRABLE INITIALLY IMMEDIATE;
    `,
  },
];

/** Version of the newest PostgreSQL migration this build knows. */
export const PG_SCHEMA_VERSION = PG_MIGRATIONS.at(-1)!.version;

/**
 * Brings the database up to the newest of `migrations` under the migration lock; returns the versions
 * applied now (empty when current). Throws when the database was written by a newer azmw.
 */
export async function migratePostgres(
  sql: Sql,
  options: { now?: () => number; migrations?: readonly PgMigration[] } = {},
): Promise<number[]> {
  const migrations = options.migrations ?? PG_MIGRATIONS;
  const now = options.now ?? Date.now;
  // One transaction holds the lock until it ends; DDL is transactional, so a failed step leaves nothing.
  return await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK.toString()}::bigint)`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at BIGINT NOT NULL
    )`;
    const [row] = await tx`SELECT COALESCE(MAX(version), 0)::int AS v FROM schema_migrations`;
    const current = Number(row?.v ?? 0);
    const newest = migrations.at(-1)?.version ?? 0;
    if (current > newest) {
      throw new Error(
        `The store's schema is version ${current}, newer than this azmw knows (${newest}); upgrade azmw`,
      );
    }
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= current) continue;
      try {
        await tx.unsafe(m.sql);
      } catch (err) {
        throw new Error(
          `Cannot apply store migration ${m.version} ("${m.name}"): ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
      await tx`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, ${m.name}, ${now()})`;
      applied.push(m.version);
    }
    return applied;
  });
}

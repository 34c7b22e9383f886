/**
 * Copies a single-node SQLite store into the PostgreSQL store (`azmw store migrate`): projects, keys,
 * tokens and the audit trail, in one transaction, each row inserted only when absent — so a second run
 * copies nothing and rows written since by the gateway are left alone. Audit entries keep their origin
 * (file position and identity) to be recognised on a second run.
 */
import { DatabaseSync } from "node:sqlite";
import type { Sql } from "postgres";
import { migratePostgres } from "./postgres_schema.ts";

/** Rows copied and rows already there, per table. */
export type CopyStats = Record<
  "projects" | "api_keys" | "tokens" | "audit",
  { copied: number; present: number }
>;

const TABLES = {
  projects: [
    "name",
    "description",
    "metadata",
    "policy",
    "upstream_credentials",
    "disabled",
    "created_at",
    "updated_at",
  ],
  api_keys: [
    "id",
    "project",
    "name",
    "prefix",
    "sha256",
    "policy",
    "expires_at",
    "disabled_at",
    "replaced_by",
    "created_at",
    "updated_at",
  ],
  tokens: [
    "id",
    "project",
    "name",
    "prefix",
    "sha256",
    "policy",
    "expires_at",
    "revoked_at",
    "max_requests",
    "request_count",
    "created_at",
    "updated_at",
  ],
  audit: ["at", "actor_role", "actor_id", "action", "target_type", "target_id", "project", "before", "after"],
} as const;

/** Copies every row of the SQLite store at `from` into the (migrated) PostgreSQL database of `to`. */
export async function copySqliteToPostgres(from: string, to: Sql): Promise<CopyStats> {
  let source: DatabaseSync;
  try {
    source = new DatabaseSync(from, { readOnly: true });
  } catch (err) {
    throw new Error(`Cannot open the SQLite store "${from}": ${(err as Error).message}`, { cause: err });
  }
  try {
    const tables = new Set(
      source.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => String(r.name)),
    );
    if (!tables.has("projects")) throw new Error(`"${from}" is not an azmw store (no projects table)`);
    await migratePostgres(to);
    const stats = {} as CopyStats;
    await to.begin(async (tx) => {
      for (const [table, columns] of Object.entries(TABLES) as [keyof CopyStats, readonly string[]][]) {
        stats[table] = { copied: 0, present: 0 };
        if (!tables.has(table)) continue;
        const rows = source.prepare(`SELECT * FROM ${table} ORDER BY seq`).all();
        // Stores written by an azmw with project ids and deletion carry them along; older ones get new ids.
        const extra = table === "projects" && hasColumn(source, "projects", "id") ? ["id", "deleted_at"] : [];
        const from = [...columns, ...extra];
        const cols = table === "audit"
          ? [...from, "origin"]
          : table === "projects" && extra.length === 0
          ? [...from, "id"]
          : from;
        const text = `INSERT INTO ${table} (${cols.join(", ")}) VALUES (${
          cols.map((_, i) => `$${i + 1}`).join(", ")
        }) ON CONFLICT DO NOTHING`;
        for (const row of rows) {
          const values = from.map((c) => row[c] ?? null) as (string | number | null)[];
          if (table === "projects" && extra.length === 0) values.push(crypto.randomUUID());
          if (table === "audit") {
            values.push(`sqlite:${row.seq}:${row.at}:${row.target_type}:${row.target_id}:${row.action}`);
          }
          const result = await tx.unsafe(text, values as never);
          if (result.count === 1) stats[table].copied++;
          else stats[table].present++;
        }
      }
    });
    return stats;
  } finally {
    source.close();
  }
}

function hasColumn(db: DatabaseSync, table: string, column: string): boolean {
  return db.prepare(`PRAGMA table_info(${table})`).all().some((c) => c.name === column);
}

/**
 * A thin layer over a postgres.js pool for the PostgreSQL store: parameterised reads, paged lists, changes
 * that commit together with their audit entry in one transaction, and the mapping of driver errors to
 * `StoreError`s (a taken name or digest is a `conflict`, a lost server is `unavailable`).
 */
import type { Sql, TransactionSql } from "postgres";
import type { Change } from "./sqlite_db.ts";
import { decodeCursor, type Row } from "./sqlite_rows.ts";
import { type ChangeContext, type ListQuery, StoreError } from "./types.ts";

/** A value bound to a statement parameter. */
export type PgParam = string | number | null;

/** A pool or an open transaction: both run queries. */
export type Query = Pick<Sql, "unsafe"> | Pick<TransactionSql, "unsafe">;

/** Every row of `text` run on `q`. */
export async function all(q: Query, text: string, params: PgParam[] = []): Promise<Row[]> {
  return [...await q.unsafe(text, params)] as Row[];
}

/** The first row of `text`, if any. */
export async function one(q: Query, text: string, params: PgParam[] = []): Promise<Row | undefined> {
  return (await all(q, text, params))[0];
}

/** Driver error codes that mean the server cannot be reached or went away. */
const UNAVAILABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
]);

/** Whether `err` says the server is out of reach (rather than refusing the statement). */
export function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && UNAVAILABLE.has(code)) return true;
  return err instanceof Deno.errors.ConnectionRefused || err instanceof Deno.errors.ConnectionReset;
}

/** Turns driver errors into the store's own: `conflict` for a unique violation, `unavailable` when down. */
export function storeError(err: unknown): unknown {
  if (err instanceof StoreError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "23505") {
    return new StoreError("conflict", "A record with the same id or digest already exists");
  }
  if (isUnavailable(err)) {
    return new StoreError("unavailable", `The PostgreSQL store is unavailable: ${describeError(err)}`);
  }
  return err;
}

/** A driver error as `CODE (message)` — the server's address at most, never the URL or a password. */
export function describeError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === "string" && e.code !== "") return `${e.code}${e.message ? ` (${e.message})` : ""}`;
  return String(e?.message ?? err);
}

/** Runs `fn` mapping its errors with `storeError()`. */
export async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw storeError(err);
  }
}

/** Channel on which every committed change is announced to the other replicas. */
export const CHANGE_CHANNEL = "azmw_store_changed";

/** Runs a change and writes its audit entry in one transaction, announced on `CHANGE_CHANNEL` at commit. */
export function change<T>(
  sql: Sql,
  ctx: ChangeContext,
  fn: (tx: TransactionSql) => Promise<Change<T>>,
): Promise<T> {
  return guard(async () => {
    const result = await sql.begin(async (tx) => {
      const c = await fn(tx);
      await tx.unsafe(
        `INSERT INTO audit (at, actor_role, actor_id, action, target_type, target_id, project, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          ctx.at,
          ctx.actor.role,
          ctx.actor.id,
          c.action,
          c.targetType,
          c.targetId,
          c.project,
          c.before === null ? null : JSON.stringify(c.before),
          c.after === null ? null : JSON.stringify(c.after),
        ],
      );
      await tx.unsafe("SELECT pg_notify($1, $2)", [CHANGE_CHANNEL, c.targetType]);
      return { value: c.result };
    });
    return result.value as T;
  });
}

/** One page (plus one row, to tell whether more follow) of `table` in insertion order. */
export function list(q: Query, table: string, query: ListQuery & { project?: string }): Promise<Row[]> {
  const after = decodeCursor(query.cursor) ?? 0;
  if (query.project === undefined) {
    return all(q, `SELECT * FROM ${table} WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, query.limit + 1]);
  }
  return all(q, `SELECT * FROM ${table} WHERE seq > $1 AND project = $2 ORDER BY seq LIMIT $3`, [
    after,
    query.project,
    query.limit + 1,
  ]);
}

/** `promise`, or a `TIMEOUT` error after `ms` (a server that stops answering without closing). */
export function withTimeout<T>(promise: Promise<T>, options: { ms: number; what: string }): Promise<T> {
  const { ms, what } = options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`${what} took longer than ${ms} ms`), { code: "TIMEOUT" })),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A thin layer over one `node:sqlite` database: cached prepared statements, paged lists, and changes that
 * commit together with their audit entry in one transaction.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { decodeCursor, type Row } from "./sqlite_rows.ts";
import { type AuditEntry, type ChangeContext, type ListQuery, StoreError } from "./types.ts";

/** A value bound to a statement parameter. */
export type Param = string | number | null;

/** What one change writes to the audit trail, plus the method's result. */
export interface Change<T> {
  action: string;
  targetType: AuditEntry["targetType"];
  targetId: string;
  project: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  result: T;
}

/** One open database with a statement cache. */
export class Db {
  /** The underlying database. */
  readonly raw: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  /** Wraps an open database. */
  constructor(raw: DatabaseSync) {
    this.raw = raw;
  }

  /** The prepared statement for `sql` (prepared once). */
  q(sql: string): StatementSync {
    let s = this.#statements.get(sql);
    if (s === undefined) this.#statements.set(sql, s = this.raw.prepare(sql));
    return s;
  }

  /** The first row of `sql`, if any. */
  one(sql: string, ...params: Param[]): Row | undefined {
    return this.q(sql).get(...params) as Row | undefined;
  }

  /** Every row of `sql`. */
  all(sql: string, ...params: Param[]): Row[] {
    return this.q(sql).all(...params) as Row[];
  }

  /** Runs `fn` in an immediate (write-locking) transaction. */
  tx<T>(fn: () => T): T {
    this.raw.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      this.raw.exec("COMMIT");
      return result;
    } catch (err) {
      this.raw.exec("ROLLBACK");
      throw conflict(err);
    }
  }

  /** Runs a change and writes its audit entry, atomically. */
  change<T>(ctx: ChangeContext, fn: () => Change<T>): T {
    return this.tx(() => {
      const c = fn();
      this.q(
        `INSERT INTO audit (at, actor_role, actor_id, action, target_type, target_id, project, before, after)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        ctx.at,
        ctx.actor.role,
        ctx.actor.id,
        c.action,
        c.targetType,
        c.targetId,
        c.project,
        c.before === null ? null : JSON.stringify(c.before),
        c.after === null ? null : JSON.stringify(c.after),
      );
      return c.result;
    });
  }

  /** One page (plus one row, to tell whether more follow) of `table` in insertion order. */
  list(table: string, query: ListQuery & { project?: string }): Row[] {
    const after = decodeCursor(query.cursor) ?? 0;
    if (query.project === undefined) {
      return this.all(`SELECT * FROM ${table} WHERE seq > ? ORDER BY seq LIMIT ?`, after, query.limit + 1);
    }
    return this.all(
      `SELECT * FROM ${table} WHERE seq > ? AND project = ? ORDER BY seq LIMIT ?`,
      after,
      query.project,
      query.limit + 1,
    );
  }
}

/** Runs a synchronous database call as a promise, so its errors reject instead of throwing. */
export function run<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}

function conflict(err: unknown): unknown {
  if (err instanceof Error && !(err instanceof StoreError) && /UNIQUE constraint failed/.test(err.message)) {
    return new StoreError("conflict", "A record with the same id or digest already exists");
  }
  return err;
}

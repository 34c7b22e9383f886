/**
 * The store on PostgreSQL, shared by every replica: each call is a query on a pooled connection, each
 * change and its audit entry commit in one transaction. The gateway does not use it directly on the
 * request path: `SharedStore` (postgres_shared.ts) answers credential lookups from a snapshot.
 */
import type { Sql } from "postgres";
import { all, change, guard, list, one } from "./postgres_db.ts";
import * as rec from "./postgres_records.ts";
import {
  auditFromRow,
  decodeCursor,
  keyFromRow,
  projectFromRow,
  tokenFromRow,
  toPage,
} from "./sqlite_rows.ts";
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

/** `Store` on a PostgreSQL database (migrated by `migratePostgres()`). */
export class PostgresStore implements Store {
  /** The connection pool. */
  readonly sql: Sql;

  /** Wraps a pool over a migrated database. */
  constructor(sql: Sql) {
    this.sql = sql;
  }

  createProject(project: NewProject, ctx: ChangeContext): Promise<Project> {
    return change(this.sql, ctx, (tx) => rec.createProject(tx, project, ctx));
  }

  getProject(name: string): Promise<Project | null> {
    return guard(() => rec.getProject(this.sql, name));
  }

  getProjectById(id: string): Promise<Project | null> {
    return guard(() => rec.getProjectById(this.sql, id));
  }

  listProjects(query: ListQuery): Promise<Page<Project>> {
    return guard(async () => {
      const rows = await all(
        this.sql,
        "SELECT * FROM projects WHERE seq > $1 AND deleted_at IS NULL ORDER BY seq LIMIT $2",
        [decodeCursor(query.cursor) ?? 0, query.limit + 1],
      );
      return toPage(rows, query.limit, projectFromRow);
    });
  }

  deleteProject(name: string, ctx: ChangeContext): Promise<Project> {
    return change(this.sql, ctx, (tx) => rec.deleteProject(tx, name, ctx));
  }

  updateProject(name: string, patch: ProjectPatch, ctx: ChangeContext): Promise<Project> {
    return change(this.sql, ctx, (tx) => rec.updateProject(tx, name, patch, ctx));
  }

  createKey(key: NewApiKey, ctx: ChangeContext): Promise<ApiKey> {
    return change(this.sql, ctx, (tx) => rec.createKey(tx, key, ctx));
  }

  getKey(id: string): Promise<ApiKey | null> {
    return guard(() => rec.getKey(this.sql, id));
  }

  listKeys(query: ListQuery & { project?: string }): Promise<Page<ApiKey>> {
    return guard(async () => toPage(await list(this.sql, "api_keys", query), query.limit, keyFromRow));
  }

  updateKey(id: string, patch: KeyPatch, ctx: ChangeContext): Promise<ApiKey> {
    return change(this.sql, ctx, (tx) => rec.updateKey(tx, id, patch, ctx));
  }

  rotateKey(
    id: string,
    next: NewApiKey,
    options: { graceUntil: number } & ChangeContext,
  ): Promise<{ previous: ApiKey; key: ApiKey }> {
    return change(this.sql, options, (tx) => rec.rotateKey(tx, id, next, options));
  }

  createToken(token: NewToken, ctx: ChangeContext): Promise<Token> {
    return change(this.sql, ctx, (tx) => rec.createToken(tx, token, ctx));
  }

  getToken(id: string): Promise<Token | null> {
    return guard(() => rec.getToken(this.sql, id));
  }

  listTokens(query: ListQuery & { project?: string }): Promise<Page<Token>> {
    return guard(async () => toPage(await list(this.sql, "tokens", query), query.limit, tokenFromRow));
  }

  updateToken(id: string, patch: TokenPatch, ctx: ChangeContext): Promise<Token> {
    return change(this.sql, ctx, (tx) => rec.updateToken(tx, id, patch, ctx));
  }

  addTokenUses(uses: ReadonlyMap<string, number>): Promise<void> {
    if (uses.size === 0) return Promise.resolve();
    const ids = [...uses.keys()];
    const counts = ids.map((id) => uses.get(id)!);
    // One statement for the whole batch: increments of unknown tokens match nothing.
    return guard(async () => {
      await this.sql.unsafe(
        `UPDATE tokens SET request_count = tokens.request_count + u.n, rev = nextval('azmw_rev')
         FROM unnest($1::text[], $2::bigint[]) AS u(id, n) WHERE tokens.id = u.id`,
        [ids, counts] as never,
      );
    });
  }

  findCredential(sha256: string): Promise<Credential | null> {
    return guard(async (): Promise<Credential | null> => {
      const keyRow = await one(this.sql, "SELECT * FROM api_keys WHERE sha256 = $1", [sha256]);
      if (keyRow !== undefined) {
        const key = keyFromRow(keyRow);
        return { kind: "key", key, project: await rec.getProject(this.sql, key.project) };
      }
      const tokenRow = await one(this.sql, "SELECT * FROM tokens WHERE sha256 = $1", [sha256]);
      if (tokenRow === undefined) return null;
      const token = tokenFromRow(tokenRow);
      return { kind: "token", token, project: await rec.getProject(this.sql, token.project) };
    });
  }

  listAudit(
    query: ListQuery & { project?: string; targetType?: AuditEntry["targetType"]; targetId?: string },
  ): Promise<Page<AuditEntry>> {
    return guard(async () => {
      const params: (string | number)[] = [decodeCursor(query.cursor) ?? Number.MAX_SAFE_INTEGER];
      const where = ["seq < $1"];
      const filters = [["project", query.project], ["target_type", query.targetType], [
        "target_id",
        query.targetId,
      ]] as const;
      for (const [column, value] of filters) {
        if (value === undefined) continue;
        params.push(value);
        where.push(`${column} = $${params.length}`);
      }
      params.push(query.limit + 1);
      const rows = await all(
        this.sql,
        `SELECT * FROM audit WHERE ${where.join(" AND ")} ORDER BY seq DESC LIMIT $${params.length}`,
        params,
      );
      return toPage(rows, query.limit, auditFromRow);
    });
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}

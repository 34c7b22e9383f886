/** Withering tokens in the SQLite store. */
import type { Db } from "./sqlite_db.ts";
import { projectOrFail } from "./sqlite_projects.ts";
import { tokenFromRow, toPage } from "./sqlite_rows.ts";
import {
  type ChangeContext,
  type ListQuery,
  type NewToken,
  type Page,
  StoreError,
  type Token,
  type TokenPatch,
} from "./types.ts";
import { tokenView } from "./views.ts";

/** The token with `id`, or `null`. */
export function getToken(db: Db, id: string): Token | null {
  const row = db.one("SELECT * FROM tokens WHERE id = ?", id);
  return row === undefined ? null : tokenFromRow(row);
}

/** Adds a token to an existing project. */
export function createToken(db: Db, t: NewToken, ctx: ChangeContext): Token {
  return db.change(ctx, () => {
    projectOrFail(db, t.project);
    const token: Token = { ...t, revokedAt: null, requestCount: 0, createdAt: ctx.at, updatedAt: ctx.at };
    db.q(
      `INSERT INTO tokens (id, project, name, prefix, sha256, policy, expires_at, max_requests, created_at,
       updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      t.id,
      t.project,
      t.name,
      t.prefix,
      t.sha256,
      JSON.stringify(t.policy),
      t.expiresAt,
      t.maxRequests,
      ctx.at,
      ctx.at,
    );
    const after = tokenView(token, ctx.at);
    return {
      action: "token.create",
      targetType: "token",
      targetId: t.id,
      project: t.project,
      before: null,
      after,
      result: token,
    };
  });
}

/** A page of tokens, oldest first. */
export function listTokens(db: Db, query: ListQuery & { project?: string }): Page<Token> {
  return toPage(db.list("tokens", query), query.limit, tokenFromRow);
}

/** Changes a token (revoking is `revokedAt`). */
export function updateToken(db: Db, id: string, patch: TokenPatch, ctx: ChangeContext): Token {
  return db.change(ctx, () => {
    const before = getToken(db, id);
    if (before === null) throw new StoreError("not_found", `Token "${id}" does not exist`);
    const after: Token = { ...before, ...patch, updatedAt: ctx.at };
    db.q("UPDATE tokens SET revoked_at = ?, updated_at = ? WHERE id = ?").run(after.revokedAt, ctx.at, id);
    return {
      action: before.revokedAt === null && after.revokedAt !== null ? "token.revoke" : "token.update",
      targetType: "token",
      targetId: id,
      project: after.project,
      before: tokenView(before, ctx.at),
      after: tokenView(after, ctx.at),
      result: after,
    };
  });
}

/** Adds counted uses to tokens, in one transaction. */
export function addTokenUses(db: Db, uses: ReadonlyMap<string, number>): void {
  if (uses.size === 0) return;
  db.tx(() => {
    const add = db.q("UPDATE tokens SET request_count = request_count + ? WHERE id = ?");
    for (const [id, n] of uses) add.run(n, id);
  });
}

/** Counts one use of a capped token unless it already has `max`: the new count, or `null`. */
export function takeTokenUse(db: Db, id: string, max: number): number | null {
  const row = db.one(
    "UPDATE tokens SET request_count = request_count + 1 WHERE id = ? AND request_count < ? RETURNING request_count",
    id,
    max,
  );
  return row === undefined ? null : Number(row.request_count);
}

/** API keys in the SQLite store. */
import type { Db } from "./sqlite_db.ts";
import { projectOrFail } from "./sqlite_projects.ts";
import { keyFromRow, toPage } from "./sqlite_rows.ts";
import {
  type ApiKey,
  type ChangeContext,
  type KeyPatch,
  type ListQuery,
  type NewApiKey,
  type Page,
  StoreError,
} from "./types.ts";
import { keyView } from "./views.ts";

/** The key with `id`, or `null`. */
export function getKey(db: Db, id: string): ApiKey | null {
  const row = db.one("SELECT * FROM api_keys WHERE id = ?", id);
  return row === undefined ? null : keyFromRow(row);
}

function keyOrFail(db: Db, id: string): ApiKey {
  const key = getKey(db, id);
  if (key === null) throw new StoreError("not_found", `API key "${id}" does not exist`);
  return key;
}

function insertKey(db: Db, k: NewApiKey, at: number): ApiKey {
  projectOrFail(db, k.project);
  const key: ApiKey = { ...k, disabledAt: null, replacedBy: null, createdAt: at, updatedAt: at };
  db.q(
    `INSERT INTO api_keys (id, project, name, prefix, sha256, policy, expires_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(k.id, k.project, k.name, k.prefix, k.sha256, JSON.stringify(k.policy), k.expiresAt, at, at);
  return key;
}

function writeKey(db: Db, k: ApiKey): void {
  db.q(
    `UPDATE api_keys SET name = ?, policy = ?, expires_at = ?, disabled_at = ?, replaced_by = ?, updated_at = ?
     WHERE id = ?`,
  ).run(k.name, JSON.stringify(k.policy), k.expiresAt, k.disabledAt, k.replacedBy, k.updatedAt, k.id);
}

/** Adds a key to an existing project. */
export function createKey(db: Db, k: NewApiKey, ctx: ChangeContext): ApiKey {
  return db.change(ctx, () => {
    const key = insertKey(db, k, ctx.at);
    const after = keyView(key, ctx.at);
    return {
      action: "key.create",
      targetType: "key",
      targetId: key.id,
      project: key.project,
      before: null,
      after,
      result: key,
    };
  });
}

/** A page of keys, oldest first. */
export function listKeys(db: Db, query: ListQuery & { project?: string }): Page<ApiKey> {
  return toPage(db.list("api_keys", query), query.limit, keyFromRow);
}

/** Changes a key's fields (disabling is `disabledAt`). */
export function updateKey(db: Db, id: string, patch: KeyPatch, ctx: ChangeContext): ApiKey {
  return db.change(ctx, () => {
    const before = keyOrFail(db, id);
    const after: ApiKey = { ...before, ...patch, updatedAt: ctx.at };
    writeKey(db, after);
    const action = before.disabledAt === null && after.disabledAt !== null
      ? "key.disable"
      : before.disabledAt !== null && after.disabledAt === null
      ? "key.enable"
      : "key.update";
    return {
      action,
      targetType: "key",
      targetId: id,
      project: after.project,
      before: keyView(before, ctx.at),
      after: keyView(after, ctx.at),
      result: after,
    };
  });
}

/** Adds `next` in `id`'s project and ends `id` at `graceUntil` (or its own expiry, if sooner). */
export function rotateKey(
  db: Db,
  id: string,
  next: NewApiKey,
  options: { graceUntil: number } & ChangeContext,
): { previous: ApiKey; key: ApiKey } {
  const { graceUntil, ...ctx } = options;
  return db.change(ctx, () => {
    const before = keyOrFail(db, id);
    if (before.replacedBy !== null) {
      throw new StoreError("conflict", `API key "${id}" was already rotated to "${before.replacedBy}"`);
    }
    const key = insertKey(db, { ...next, project: before.project }, ctx.at);
    const expiresAt = before.expiresAt === null ? graceUntil : Math.min(before.expiresAt, graceUntil);
    const previous: ApiKey = { ...before, expiresAt, replacedBy: key.id, updatedAt: ctx.at };
    writeKey(db, previous);
    return {
      action: "key.rotate",
      targetType: "key",
      targetId: id,
      project: key.project,
      before: keyView(before, ctx.at),
      after: { ...keyView(previous, ctx.at), replacement: keyView(key, ctx.at) },
      result: { previous, key },
    };
  });
}

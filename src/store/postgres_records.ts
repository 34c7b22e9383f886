/**
 * Projects, API keys and tokens in the PostgreSQL store: the same rules as the SQLite store (one audit
 * entry per change, in the change's transaction), written for a pool of connections. Every write bumps the
 * row's `rev`, which replicas follow to refresh their credential snapshot.
 */
import type { TransactionSql } from "postgres";
import { one, type Query } from "./postgres_db.ts";
import type { Change } from "./sqlite_db.ts";
import { keyFromRow, projectFromRow, tokenFromRow } from "./sqlite_rows.ts";
import {
  type ApiKey,
  type ChangeContext,
  type KeyPatch,
  type NewApiKey,
  type NewProject,
  type NewToken,
  type Project,
  type ProjectPatch,
  StoreError,
  type Token,
  type TokenPatch,
} from "./types.ts";
import { keyView, projectView, tokenView } from "./views.ts";

/** The project called `name`, or `null`. */
export async function getProject(q: Query, name: string): Promise<Project | null> {
  const row = await one(q, "SELECT * FROM projects WHERE name = $1", [name]);
  return row === undefined ? null : projectFromRow(row);
}

async function projectOrFail(q: Query, name: string, lock = false): Promise<Project> {
  const row = await one(q, `SELECT * FROM projects WHERE name = $1${lock ? " FOR SHARE" : ""}`, [name]);
  if (row === undefined) throw new StoreError("not_found", `Project "${name}" does not exist`);
  return projectFromRow(row);
}

/** Adds a project. */
export async function createProject(tx: TransactionSql, p: NewProject, ctx: ChangeContext) {
  if (await getProject(tx, p.name) !== null) {
    throw new StoreError("conflict", `Project "${p.name}" already exists`);
  }
  const project: Project = { ...p, disabled: false, createdAt: ctx.at, updatedAt: ctx.at };
  await tx.unsafe(
    `INSERT INTO projects (name, description, metadata, policy, upstream_credentials, disabled, created_at,
     updated_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $6)`,
    [
      p.name,
      p.description,
      JSON.stringify(p.metadata),
      JSON.stringify(p.policy),
      JSON.stringify(p.upstreamCredentials),
      ctx.at,
    ],
  );
  return changed("project.create", "project", p.name, p.name, null, projectView(project), project);
}

/** Changes a project's fields. */
export async function updateProject(
  tx: TransactionSql,
  name: string,
  patch: ProjectPatch,
  ctx: ChangeContext,
) {
  const row = await one(tx, "SELECT * FROM projects WHERE name = $1 FOR UPDATE", [name]);
  if (row === undefined) throw new StoreError("not_found", `Project "${name}" does not exist`);
  const before = projectFromRow(row);
  const after: Project = { ...before, ...patch, name, updatedAt: ctx.at };
  await tx.unsafe(
    `UPDATE projects SET description = $1, metadata = $2, policy = $3, upstream_credentials = $4, disabled = $5,
     updated_at = $6, rev = nextval('azmw_rev') WHERE name = $7`,
    [
      after.description,
      JSON.stringify(after.metadata),
      JSON.stringify(after.policy),
      JSON.stringify(after.upstreamCredentials),
      after.disabled ? 1 : 0,
      ctx.at,
      name,
    ],
  );
  const action = !before.disabled && after.disabled
    ? "project.disable"
    : before.disabled && !after.disabled
    ? "project.enable"
    : "project.update";
  return changed(action, "project", name, name, projectView(before), projectView(after), after);
}

/** The key with `id`, or `null`. */
export async function getKey(q: Query, id: string, lock = false): Promise<ApiKey | null> {
  const row = await one(q, `SELECT * FROM api_keys WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [id]);
  return row === undefined ? null : keyFromRow(row);
}

async function insertKey(tx: TransactionSql, k: NewApiKey, at: number): Promise<ApiKey> {
  await projectOrFail(tx, k.project, true);
  await tx.unsafe(
    `INSERT INTO api_keys (id, project, name, prefix, sha256, policy, expires_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
    [k.id, k.project, k.name, k.prefix, k.sha256, JSON.stringify(k.policy), k.expiresAt, at],
  );
  return { ...k, disabledAt: null, replacedBy: null, createdAt: at, updatedAt: at };
}

async function writeKey(tx: TransactionSql, k: ApiKey): Promise<void> {
  await tx.unsafe(
    `UPDATE api_keys SET name = $1, policy = $2, expires_at = $3, disabled_at = $4, replaced_by = $5,
     updated_at = $6, rev = nextval('azmw_rev') WHERE id = $7`,
    [k.name, JSON.stringify(k.policy), k.expiresAt, k.disabledAt, k.replacedBy, k.updatedAt, k.id],
  );
}

/** Adds a key to an existing project. */
export async function createKey(tx: TransactionSql, k: NewApiKey, ctx: ChangeContext) {
  const key = await insertKey(tx, k, ctx.at);
  return changed("key.create", "key", key.id, key.project, null, keyView(key, ctx.at), key);
}

/** Changes a key's fields (disabling is `disabledAt`). */
export async function updateKey(tx: TransactionSql, id: string, patch: KeyPatch, ctx: ChangeContext) {
  const before = await getKey(tx, id, true);
  if (before === null) throw new StoreError("not_found", `API key "${id}" does not exist`);
  const after: ApiKey = { ...before, ...patch, updatedAt: ctx.at };
  await writeKey(tx, after);
  const action = before.disabledAt === null && after.disabledAt !== null
    ? "key.disable"
    : before.disabledAt !== null && after.disabledAt === null
    ? "key.enable"
    : "key.update";
  return changed(action, "key", id, after.project, keyView(before, ctx.at), keyView(after, ctx.at), after);
}

/** Adds `next` in `id`'s project and ends `id` at `graceUntil` (or its own expiry, if sooner). */
export async function rotateKey(
  tx: TransactionSql,
  id: string,
  next: NewApiKey,
  options: { graceUntil: number } & ChangeContext,
) {
  const at = options.at;
  const before = await getKey(tx, id, true);
  if (before === null) throw new StoreError("not_found", `API key "${id}" does not exist`);
  if (before.replacedBy !== null) {
    throw new StoreError("conflict", `API key "${id}" was already rotated to "${before.replacedBy}"`);
  }
  const key = await insertKey(tx, { ...next, project: before.project }, at);
  const expiresAt = before.expiresAt === null
    ? options.graceUntil
    : Math.min(before.expiresAt, options.graceUntil);
  const previous: ApiKey = { ...before, expiresAt, replacedBy: key.id, updatedAt: at };
  await writeKey(tx, previous);
  const after = { ...keyView(previous, at), replacement: keyView(key, at) };
  return changed("key.rotate", "key", id, key.project, keyView(before, at), after, { previous, key });
}

/** The token with `id`, or `null`. */
export async function getToken(q: Query, id: string, lock = false): Promise<Token | null> {
  const row = await one(q, `SELECT * FROM tokens WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [id]);
  return row === undefined ? null : tokenFromRow(row);
}

/** Adds a token to an existing project. */
export async function createToken(tx: TransactionSql, t: NewToken, ctx: ChangeContext) {
  await projectOrFail(tx, t.project, true);
  const token: Token = { ...t, revokedAt: null, requestCount: 0, createdAt: ctx.at, updatedAt: ctx.at };
  await tx.unsafe(
    `INSERT INTO tokens (id, project, name, prefix, sha256, policy, expires_at, max_requests, created_at,
     updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
    [
      t.id,
      t.project,
      t.name,
      t.prefix,
      t.sha256,
      JSON.stringify(t.policy),
      t.expiresAt,
      t.maxRequests,
      ctx.at,
    ],
  );
  return changed("token.create", "token", t.id, t.project, null, tokenView(token, ctx.at), token);
}

/** Changes a token (revoking is `revokedAt`). */
export async function updateToken(tx: TransactionSql, id: string, patch: TokenPatch, ctx: ChangeContext) {
  const before = await getToken(tx, id, true);
  if (before === null) throw new StoreError("not_found", `Token "${id}" does not exist`);
  const after: Token = { ...before, ...patch, updatedAt: ctx.at };
  await tx.unsafe(
    "UPDATE tokens SET revoked_at = $1, updated_at = $2, rev = nextval('azmw_rev') WHERE id = $3",
    [after.revokedAt, ctx.at, id],
  );
  const action = before.revokedAt === null && after.revokedAt !== null ? "token.revoke" : "token.update";
  return changed(
    action,
    "token",
    id,
    after.project,
    tokenView(before, ctx.at),
    tokenView(after, ctx.at),
    after,
  );
}

function changed<T>(
  action: string,
  targetType: Change<T>["targetType"],
  targetId: string,
  project: string | null,
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  result: T,
): Change<T> {
  return { action, targetType, targetId, project, before, after, result };
}

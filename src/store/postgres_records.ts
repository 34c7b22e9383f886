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

/** The project called `name` (deleted ones excluded), or `null`. */
export async function getProject(q: Query, name: string): Promise<Project | null> {
  const row = await one(q, "SELECT * FROM projects WHERE name = $1 AND deleted_at IS NULL", [name]);
  return row === undefined ? null : projectFromRow(row);
}

/** The project with this id (deleted ones excluded), or `null`. */
export async function getProjectById(q: Query, id: string): Promise<Project | null> {
  const row = await one(q, "SELECT * FROM projects WHERE id = $1 AND deleted_at IS NULL", [id]);
  return row === undefined ? null : projectFromRow(row);
}

async function nameTaken(q: Query, name: string): Promise<StoreError | null> {
  const row = await one(q, "SELECT deleted_at FROM projects WHERE name = $1", [name]);
  if (row === undefined) return null;
  return new StoreError(
    "conflict",
    row.deleted_at === null
      ? `Project "${name}" already exists`
      : `Project name "${name}" belonged to a deleted project (its records keep it); choose another name`,
  );
}

async function projectOrFail(q: Query, name: string, lock = false): Promise<Project> {
  const row = await one(
    q,
    `SELECT * FROM projects WHERE name = $1 AND deleted_at IS NULL${lock ? " FOR SHARE" : ""}`,
    [name],
  );
  if (row === undefined) throw new StoreError("not_found", `Project "${name}" does not exist`);
  return projectFromRow(row);
}

/** Adds a project. */
export async function createProject(tx: TransactionSql, p: NewProject, ctx: ChangeContext) {
  const taken = await nameTaken(tx, p.name);
  if (taken !== null) throw taken;
  const project: Project = {
    ...p,
    id: p.id ?? crypto.randomUUID(),
    disabled: false,
    createdAt: ctx.at,
    updatedAt: ctx.at,
  };
  await tx.unsafe(
    `INSERT INTO projects (id, name, description, metadata, policy, upstream_credentials, disabled, created_at,
     updated_at) VALUES ($7, $1, $2, $3, $4, $5, 0, $6, $6)`,
    [
      p.name,
      p.description,
      JSON.stringify(p.metadata),
      JSON.stringify(p.policy),
      JSON.stringify(p.upstreamCredentials),
      ctx.at,
      project.id,
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
  const row = await one(tx, "SELECT * FROM projects WHERE name = $1 AND deleted_at IS NULL FOR UPDATE", [
    name,
  ]);
  if (row === undefined) throw new StoreError("not_found", `Project "${name}" does not exist`);
  const before = projectFromRow(row);
  const rename = patch.name !== undefined && patch.name !== name ? patch.name : null;
  if (rename !== null) {
    const taken = await nameTaken(tx, rename);
    if (taken !== null) throw taken;
    // Keys and tokens reference the name: their references are checked at commit, once they all follow.
    await tx.unsafe("SET CONSTRAINTS api_keys_project_fkey, tokens_project_fkey DEFERRED");
  }
  const after: Project = { ...before, ...patch, id: before.id, name: rename ?? name, updatedAt: ctx.at };
  await tx.unsafe(
    `UPDATE projects SET name = $1, description = $2, metadata = $3, policy = $4, upstream_credentials = $5,
     disabled = $6, updated_at = $7, rev = nextval('azmw_rev') WHERE id = $8`,
    [
      after.name,
      after.description,
      JSON.stringify(after.metadata),
      JSON.stringify(after.policy),
      JSON.stringify(after.upstreamCredentials),
      after.disabled ? 1 : 0,
      ctx.at,
      before.id,
    ],
  );
  if (rename !== null) {
    for (const table of ["api_keys", "tokens"]) {
      await tx.unsafe(`UPDATE ${table} SET project = $1, rev = nextval('azmw_rev') WHERE project = $2`, [
        rename,
        name,
      ]);
    }
  }
  const action = rename !== null
    ? "project.rename"
    : !before.disabled && after.disabled
    ? "project.disable"
    : before.disabled && !after.disabled
    ? "project.enable"
    : "project.update";
  return changed(action, "project", after.name, after.name, projectView(before), projectView(after), after);
}

/** Deletes a project: its keys and tokens stop working at `ctx.at`; it leaves lookups and lists. */
export async function deleteProject(tx: TransactionSql, name: string, ctx: ChangeContext) {
  const before = await projectOrFail(tx, name, true);
  await tx.unsafe(
    `UPDATE api_keys SET disabled_at = $1, updated_at = $1, rev = nextval('azmw_rev')
     WHERE project = $2 AND disabled_at IS NULL`,
    [ctx.at, name],
  );
  await tx.unsafe(
    `UPDATE tokens SET revoked_at = $1, updated_at = $1, rev = nextval('azmw_rev')
     WHERE project = $2 AND revoked_at IS NULL`,
    [ctx.at, name],
  );
  await tx.unsafe(
    `UPDATE projects SET deleted_at = $1, disabled = 1, updated_at = $1, rev = nextval('azmw_rev')
     WHERE id = $2`,
    [ctx.at, before.id],
  );
  const result: Project = { ...before, disabled: true, updatedAt: ctx.at };
  return changed("project.delete", "project", name, name, projectView(before), null, result);
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

/** `/manage/keys`: create (the secret is returned once), list, show, update, revoke and rotate API keys. */
import { POLICY } from "../config/schema_manage.ts";
import { bool, opt } from "../config/schema_helpers.ts";
import { newApiKey, newId } from "./credentials.ts";
import { GatewayError } from "../core/errors.ts";
import type { ApiKey, KeyPatch } from "../store/types.ts";
import { keyStatus, keyView } from "../store/views.ts";
import {
  changeCall,
  listBody,
  type ManageContext,
  type ManageResult,
  notFound,
  pageQuery,
  storeCall,
} from "./context.ts";
import { duration, expiryOf, nullable, PROJECT_NAME, readBody, text, TIME } from "./validate.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How long a rotated key keeps working unless the request says otherwise. */
export const DEFAULT_GRACE_MS = DAY;

const EXPIRY = { expires_in: opt(duration(MINUTE, 3650 * DAY)), expires_at: opt(TIME) };

/** `POST /manage/keys` */
export async function createKey(ctx: ManageContext, body: unknown): Promise<ManageResult> {
  const b = readBody({ project: PROJECT_NAME, name: opt(text(200)), policy: opt(POLICY), ...EXPIRY }, body);
  const now = ctx.now();
  const expiresAt = expiryOf(b, now, null);
  const cred = newApiKey(ctx.random);
  const key = await changeCall(ctx, () =>
    ctx.store.createKey({
      id: newId("key", ctx.random),
      project: b.project,
      name: b.name ?? "",
      prefix: cred.prefix,
      sha256: cred.sha256,
      policy: b.policy ?? {},
      expiresAt,
    }, { actor: ctx.actor, at: now }));
  return { status: 201, body: { ...keyView(key, now), secret: cred.secret } };
}

/** `GET /manage/keys[?project=]` */
export async function listKeys(ctx: ManageContext, query: URLSearchParams): Promise<ManageResult> {
  const project = query.get("project");
  const page = await storeCall(() =>
    ctx.store.listKeys({ ...pageQuery(query), ...(project ? { project } : {}) })
  );
  const now = ctx.now();
  return { status: 200, body: listBody(page.items.map((k) => keyView(k, now)), page.nextCursor) };
}

async function keyOrFail(ctx: ManageContext, id: string): Promise<ApiKey> {
  const key = await storeCall(() => ctx.store.getKey(id));
  if (key === null) throw notFound("API key", id);
  return key;
}

/** `GET /manage/keys/{id}` */
export async function getKey(ctx: ManageContext, id: string): Promise<ManageResult> {
  return { status: 200, body: keyView(await keyOrFail(ctx, id), ctx.now()) };
}

/** `PATCH /manage/keys/{id}`: name, policy, expiry (`null` clears it) or `disabled`. */
export async function updateKey(ctx: ManageContext, id: string, body: unknown): Promise<ManageResult> {
  const b = readBody({
    name: opt(text(200)),
    policy: opt(POLICY),
    expires_in: EXPIRY.expires_in,
    expires_at: opt(nullable(TIME)),
    disabled: opt(bool()),
  }, body);
  const now = ctx.now();
  const patch: KeyPatch = {};
  if (b.name !== undefined) patch.name = b.name;
  if (b.policy !== undefined) patch.policy = b.policy;
  if (b.expiresIn !== undefined || b.expiresAt !== undefined) patch.expiresAt = expiryOf(b, now, null);
  if (b.disabled !== undefined) patch.disabledAt = b.disabled ? now : null;
  const key = await changeCall(ctx, () => ctx.store.updateKey(id, patch, { actor: ctx.actor, at: now }));
  return { status: 200, body: keyView(key, now) };
}

/** `POST /manage/keys/{id}/revoke`: disables the key at once (a second revoke changes nothing). */
export async function revokeKey(ctx: ManageContext, id: string): Promise<ManageResult> {
  const before = await keyOrFail(ctx, id);
  const now = ctx.now();
  if (before.disabledAt !== null) return { status: 200, body: keyView(before, now) };
  const key = await changeCall(
    ctx,
    () => ctx.store.updateKey(id, { disabledAt: now }, { actor: ctx.actor, at: now }),
  );
  return { status: 200, body: keyView(key, now) };
}

/**
 * `POST /manage/keys/{id}/rotate`: a new key for the same project, name and policy; the old one keeps
 * working for `grace` (default 24h). The new key lives as long as the old one was meant to, unless an
 * expiry is given.
 */
export async function rotateKey(ctx: ManageContext, id: string, body: unknown): Promise<ManageResult> {
  const b = readBody({ grace: opt(duration(0, 30 * DAY)), ...EXPIRY }, body);
  const before = await keyOrFail(ctx, id);
  const now = ctx.now();
  const status = keyStatus(before, now);
  if (status !== "active") {
    throw new GatewayError(409, "conflict", `API key "${id}" cannot be rotated: its status is "${status}"`);
  }
  const lifetime = before.expiresAt === null ? null : now + (before.expiresAt - before.createdAt);
  const expiresAt = expiryOf(b, now, lifetime);
  const cred = newApiKey(ctx.random);
  const { previous, key } = await changeCall(ctx, () =>
    ctx.store.rotateKey(id, {
      id: newId("key", ctx.random),
      project: before.project,
      name: before.name,
      prefix: cred.prefix,
      sha256: cred.sha256,
      policy: before.policy,
      expiresAt,
    }, { graceUntil: now + (b.grace ?? DEFAULT_GRACE_MS), actor: ctx.actor, at: now }));
  return {
    status: 201,
    body: { ...keyView(key, now), secret: cred.secret, previous: keyView(previous, now) },
  };
}

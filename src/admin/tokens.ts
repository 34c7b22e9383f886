/** `/manage/tokens`: create (the secret is returned once), list, show and revoke withering tokens. */
import { POLICY } from "../config/schema_manage.ts";
import { int, opt } from "../config/schema_helpers.ts";
import { newId, newToken } from "./credentials.ts";
import type { Token } from "../store/types.ts";
import { tokenView } from "../store/views.ts";
import {
  changeCall,
  invalid,
  listBody,
  type ManageContext,
  type ManageResult,
  notFound,
  pageQuery,
  storeCall,
} from "./context.ts";
import { duration, expiryOf, PROJECT_NAME, readBody, text, TIME } from "./validate.ts";

/** Longest life of a withering token. */
export const MAX_TOKEN_TTL_MS = 30 * 86_400_000;
/** Life of a token created without `ttl` or `expires_at`. */
export const DEFAULT_TOKEN_TTL_MS = 3_600_000;

/** `POST /manage/tokens` */
export async function createToken(ctx: ManageContext, body: unknown): Promise<ManageResult> {
  const b = readBody({
    project: PROJECT_NAME,
    name: opt(text(200)),
    ttl: opt(duration(1_000, MAX_TOKEN_TTL_MS)),
    expires_at: opt(TIME),
    max_requests: opt(int(1, 1_000_000_000)),
    rpm: opt(int(1, 1_000_000_000)),
    tpm: opt(int(1, 1_000_000_000_000)),
    policy: opt(POLICY),
  }, body);
  const now = ctx.now();
  const names = { in: "ttl", at: "expires_at" };
  const expiresAt = expiryOf({ ...b, expiresIn: b.ttl }, now, now + DEFAULT_TOKEN_TTL_MS, names)!;
  if (expiresAt > now + MAX_TOKEN_TTL_MS) {
    throw invalid("expires_at", `expected a time within ${MAX_TOKEN_TTL_MS / 86_400_000} days from now`);
  }
  const policy = { ...b.policy };
  if (b.rpm !== undefined) policy.rpm = b.rpm;
  if (b.tpm !== undefined) policy.tpm = b.tpm;
  const cred = newToken(ctx.random);
  const token = await changeCall(ctx, () =>
    ctx.store.createToken({
      id: newId("tok", ctx.random),
      project: b.project,
      name: b.name ?? "",
      prefix: cred.prefix,
      sha256: cred.sha256,
      policy,
      expiresAt,
      maxRequests: b.maxRequests ?? null,
    }, { actor: ctx.actor, at: now }));
  return { status: 201, body: { ...tokenView(token, now), secret: cred.secret } };
}

/** `GET /manage/tokens[?project=]` */
export async function listTokens(ctx: ManageContext, query: URLSearchParams): Promise<ManageResult> {
  const project = query.get("project");
  const page = await storeCall(() =>
    ctx.store.listTokens({ ...pageQuery(query), ...(project ? { project } : {}) })
  );
  const now = ctx.now();
  return { status: 200, body: listBody(page.items.map((t) => tokenView(t, now)), page.nextCursor) };
}

async function tokenOrFail(ctx: ManageContext, id: string): Promise<Token> {
  const token = await storeCall(() => ctx.store.getToken(id));
  if (token === null) throw notFound("Token", id);
  return token;
}

/** `GET /manage/tokens/{id}` */
export async function getToken(ctx: ManageContext, id: string): Promise<ManageResult> {
  return { status: 200, body: tokenView(await tokenOrFail(ctx, id), ctx.now()) };
}

/** `POST /manage/tokens/{id}/revoke`: the token stops working at once (a second revoke changes nothing). */
export async function revokeToken(ctx: ManageContext, id: string): Promise<ManageResult> {
  const before = await tokenOrFail(ctx, id);
  const now = ctx.now();
  if (before.revokedAt !== null) return { status: 200, body: tokenView(before, now) };
  const token = await changeCall(
    ctx,
    () => ctx.store.updateToken(id, { revokedAt: now }, { actor: ctx.actor, at: now }),
  );
  return { status: 200, body: tokenView(token, now) };
}

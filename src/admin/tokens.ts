/**
 * `/manage/tokens`: create (the secret is returned once), list, show and revoke withering tokens. The
 * collection also takes the seed management API's requests as written: create with `project_id` and
 * `duration_minutes`, `GET` without paging answers a plain array, `DELETE` with `{"token"}` revokes (by the
 * token's secret or its id) and answers 204. A token's secret is never listed: azmw keeps only its hash, so
 * the `token` field of a listing is the token's id.
 */
import { POLICY } from "../config/schema_manage.ts";
import { int, opt } from "../config/schema_helpers.ts";
import { digestHex, newId, newToken } from "../governance/credentials.ts";
import type { Token } from "../store/types.ts";
import { TOKEN_PREFIX, tokenView } from "../store/views.ts";
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
import { everyItem, pages, projectOf } from "./projects.ts";
import { duration, expiryOf, PROJECT_ID, PROJECT_NAME, readBody, text, TIME } from "./validate.ts";

/** Longest life of a withering token. */
export const MAX_TOKEN_TTL_MS = 30 * 86_400_000;
/** Life of a token created without `ttl` or `expires_at`. */
export const DEFAULT_TOKEN_TTL_MS = 3_600_000;

/** `POST /manage/tokens` */
export async function createToken(ctx: ManageContext, body: unknown): Promise<ManageResult> {
  const b = readBody({
    project: opt(PROJECT_NAME),
    project_id: opt(PROJECT_ID),
    name: opt(text(200)),
    ttl: opt(duration(1_000, MAX_TOKEN_TTL_MS)),
    duration_minutes: opt(int(1, MAX_TOKEN_TTL_MS / 60_000)),
    expires_at: opt(TIME),
    max_requests: opt(int(1, 1_000_000_000)),
    rpm: opt(int(1, 1_000_000_000)),
    tpm: opt(int(1, 1_000_000_000_000)),
    policy: opt(POLICY),
  }, body);
  if ((b.project === undefined) === (b.projectId === undefined)) {
    throw invalid("project", 'expected exactly one of "project" (a name) or "project_id"');
  }
  if (b.ttl !== undefined && b.durationMinutes !== undefined) {
    throw invalid("duration_minutes", 'expected at most one of "ttl" or "duration_minutes"');
  }
  const project = b.project ?? (await projectOf(ctx, b.projectId!)).name;
  const now = ctx.now();
  const names = { in: b.durationMinutes !== undefined ? "duration_minutes" : "ttl", at: "expires_at" };
  const expiresIn = b.ttl ?? (b.durationMinutes === undefined ? undefined : b.durationMinutes * 60_000);
  const expiresAt = expiryOf({ ...b, expiresIn }, now, now + DEFAULT_TOKEN_TTL_MS, names)!;
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
      project,
      name: b.name ?? "",
      prefix: cred.prefix,
      sha256: cred.sha256,
      policy,
      expiresAt,
      maxRequests: b.maxRequests ?? null,
    }, { actor: ctx.actor, at: now }));
  // `token` is the seed API's name of the credential; `secret` azmw's.
  return { status: 201, body: { ...tokenView(token, now), secret: cred.secret, token: cred.secret } };
}

/** `GET /manage/tokens[?project=]`: a page with `limit`/`cursor`, else an array of all (seed fields added). */
export async function listTokens(ctx: ManageContext, query: URLSearchParams): Promise<ManageResult> {
  const project = query.get("project");
  if (!pages(query)) {
    const now = ctx.now();
    const tokens = await everyItem((q) => ctx.store.listTokens({ ...q, ...(project ? { project } : {}) }));
    const ids = new Map<string, string | null>();
    for (const t of tokens) {
      if (!ids.has(t.project)) ids.set(t.project, (await ctx.store.getProject(t.project))?.id ?? null);
    }
    const body = tokens.map((t) => {
      const view = tokenView(t, now);
      return {
        ...view,
        token: t.id,
        project_id: ids.get(t.project) ?? null,
        is_active: view.status === "active",
      };
    });
    return { status: 200, body };
  }
  const page = await storeCall(() =>
    ctx.store.listTokens({ ...pageQuery(query), ...(project ? { project } : {}) })
  );
  const now = ctx.now();
  return { status: 200, body: listBody(page.items.map((t) => tokenView(t, now)), page.nextCursor) };
}

/** A token by its id, or by its secret (`azmw_t_…`, looked up by hash; never echoed in errors). */
async function tokenOrFail(ctx: ManageContext, idOrSecret: string): Promise<Token> {
  if (idOrSecret.startsWith(TOKEN_PREFIX)) {
    const found = await storeCall(() => ctx.store.findCredential(digestHex(idOrSecret)));
    if (found?.kind !== "token") throw notFound("Token", `${idOrSecret.slice(0, TOKEN_PREFIX.length + 8)}…`);
    return found.token;
  }
  const token = await storeCall(() => ctx.store.getToken(idOrSecret));
  if (token === null) throw notFound("Token", idOrSecret);
  return token;
}

/** `GET /manage/tokens/{id or secret}` */
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
    () => ctx.store.updateToken(before.id, { revokedAt: now }, { actor: ctx.actor, at: now }),
  );
  return { status: 200, body: tokenView(token, now) };
}

/** `DELETE /manage/tokens/{id or secret}`: revokes the token; 204. */
export async function deleteToken(ctx: ManageContext, idOrSecret: string): Promise<ManageResult> {
  await revokeToken(ctx, idOrSecret);
  return { status: 204, body: null };
}

/** `DELETE /manage/tokens` with `{"token": <secret or id>}` (the seed API's form); 204. */
export async function deleteTokenByBody(ctx: ManageContext, body: unknown): Promise<ManageResult> {
  const { token } = readBody({ token: text(200) }, body);
  if (token === "") throw invalid("token", "expected the token's secret or id");
  return await deleteToken(ctx, token);
}

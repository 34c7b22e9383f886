/**
 * The admin UI as a plain handler: `createAdminUi(deps)` returns `(req, live) => Promise<Response>` for
 * `/admin/*`. Pages are rendered on the server; writes are form posts that must carry the CSRF token and
 * come from the UI's own origin, and only the admin token may make them.
 */
import { GatewayError } from "../../server/errors.ts";
import type { AdminLive } from "../../server/app.ts";
import { APP_CSS, APP_JS, FAVICON_SVG } from "./assets.ts";
import { auditPage } from "./audit_page.ts";
import { callsJson, callsPage } from "./calls_page.ts";
import { DailyTotals } from "./daily_totals.ts";
import { esc } from "./html.ts";
import { htmlResponse, jsonResponse, readForm, redirect, respond } from "./http.ts";
import { document, layout } from "./layout.ts";
import { overviewPage } from "./overview.ts";
import { type AdminUiDeps, type PageContext, pageContext } from "./page.ts";
import * as act from "./project_actions.ts";
import { keyPage } from "./key_page.ts";
import { projectPage } from "./project_page.ts";
import { projectsPage } from "./projects_page.ts";
import { clearedCookie, type Principal, sessionCookie, UiAuth, writeAllowed } from "./session.ts";
import { signinPage } from "./signin_page.ts";
import { usageCsv, usagePage } from "./usage_page.ts";

type Page = (ctx: PageContext, id: string, form: URLSearchParams) => Promise<Response> | Response;

const html = (render: (ctx: PageContext, id: string) => Promise<string> | string): Page => async (ctx, id) =>
  htmlResponse(await render(ctx, id));

/** Routes of signed-in users: method, path pattern (one optional `([^/]+)` id), handler. */
const ROUTES: [string, RegExp, Page][] = [
  ["GET", /^\/admin\/$/, html(overviewPage)],
  ["GET", /^\/admin\/projects$/, html((c) => projectsPage(c))],
  ["POST", /^\/admin\/projects$/, (c, _, f) => act.createProject(c, f)],
  ["GET", /^\/admin\/projects\/([^/]+)$/, html((c, id) => projectPage(c, id))],
  ["POST", /^\/admin\/projects\/([^/]+)$/, (c, id, f) => act.updateProject(c, id, f)],
  ["POST", /^\/admin\/projects\/([^/]+)\/disable$/, (c, id) => act.setProjectDisabled(c, id, true)],
  ["POST", /^\/admin\/projects\/([^/]+)\/enable$/, (c, id) => act.setProjectDisabled(c, id, false)],
  ["POST", /^\/admin\/keys$/, (c, _, f) => act.createKey(c, f)],
  ["GET", /^\/admin\/keys\/([^/]+)$/, html((c, id) => keyPage(c, id))],
  ["POST", /^\/admin\/keys\/([^/]+)$/, (c, id, f) => act.updateKey(c, id, f)],
  ["POST", /^\/admin\/keys\/([^/]+)\/enable$/, (c, id) => act.enableKey(c, id)],
  ["POST", /^\/admin\/keys\/([^/]+)\/rotate$/, (c, id, f) => act.rotateKey(c, id, f)],
  ["POST", /^\/admin\/keys\/([^/]+)\/revoke$/, (c, id) => act.revokeKey(c, id)],
  ["POST", /^\/admin\/tokens$/, (c, _, f) => act.createToken(c, f)],
  ["POST", /^\/admin\/tokens\/([^/]+)\/revoke$/, (c, id) => act.revokeToken(c, id)],
  ["GET", /^\/admin\/usage$/, html(usagePage)],
  ["GET", /^\/admin\/usage\.csv$/, usageCsv],
  ["GET", /^\/admin\/calls$/, html(callsPage)],
  ["GET", /^\/admin\/api\/calls$/, callsJson],
  ["GET", /^\/admin\/audit$/, html(auditPage)],
];

const ASSETS: Record<string, { body: string; type: string }> = {
  "/admin/assets/app.css": { body: APP_CSS, type: "text/css; charset=utf-8" },
  "/admin/assets/app.js": { body: APP_JS, type: "text/javascript; charset=utf-8" },
  "/admin/assets/favicon.svg": { body: FAVICON_SVG, type: "image/svg+xml" },
};

/** Builds the `/admin/*` handler. */
export function createAdminUi(deps: AdminUiDeps): (req: Request, live: AdminLive) => Promise<Response> {
  const auth = new UiAuth(deps.tokens, {
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.random ? { random: deps.random } : {}),
  });
  const daily = new DailyTotals();
  return async (req, live) => {
    const url = new URL(req.url);
    try {
      return await handle(req, url, live);
    } catch (err) {
      if (!(err instanceof GatewayError) || err.status >= 500) deps.onError?.(err);
      const status = err instanceof GatewayError ? err.status : 500;
      const message = err instanceof GatewayError && status < 500
        ? err.message
        : "Internal error; see the gateway log";
      return htmlResponse(
        document(
          "Error",
          `<main class="signin"><h1>Error ${status}</h1><p>${esc(message)}</p>` +
            `<p><a href="/admin/">Back to the overview</a></p></main>`,
        ),
        status,
      );
    }
  };

  async function handle(req: Request, url: URL, live: AdminLive): Promise<Response> {
    const path = url.pathname;
    const method = req.method === "HEAD" ? "GET" : req.method;
    const asset = ASSETS[path];
    if (asset !== undefined && method === "GET") {
      return respond(req.method === "HEAD" ? null : asset.body, {
        type: asset.type,
        headers: { "cache-control": "no-cache" },
      });
    }
    if (path === "/admin") return redirect("/admin/");
    const secure = url.protocol === "https:" || req.headers.get("x-forwarded-proto") === "https";
    if (path === "/admin/signin") return await signin(req, url, method, secure);
    const principal = auth.identify(req.headers);
    if (path === "/admin/basic") {
      if (principal?.via === "basic") return redirect("/admin/");
      return htmlResponse(
        signinPage({ error: "Enter any user name and a management token as the password" }),
        401,
        {
          "www-authenticate": 'Basic realm="azmw admin", charset="UTF-8"',
        },
      );
    }
    if (principal === null) {
      if (path.startsWith("/admin/api/")) {
        return jsonResponse({
          error: { message: "Sign in first", type: "authentication_error", code: "sign_in_required" },
        }, 401);
      }
      if (method === "GET") {
        return redirect(`/admin/signin?${new URLSearchParams({ next: path + url.search })}`);
      }
      return htmlResponse(signinPage({ error: "Sign in first" }), 401);
    }
    let form = new URLSearchParams();
    if (method !== "GET") {
      const read = await readForm(req);
      if (read === null) return refusal(principal, 413, "The form is too large");
      form = read;
      if (!writeAllowed(req, form, principal)) {
        return refusal(
          principal,
          403,
          "Refused: the form's security token is missing or stale, or it came from another site. Reload the page and try again.",
        );
      }
      if (path === "/admin/signout") {
        auth.endSession(req.headers);
        return redirect("/admin/signin", { "set-cookie": clearedCookie(secure) });
      }
      if (principal.role !== "admin") {
        return refusal(principal, 403, "The reader token cannot make changes; sign in with the admin token");
      }
    }
    for (const [m, pattern, page] of ROUTES) {
      const match = pattern.exec(path);
      if (match === null) continue;
      if (m !== method) continue;
      let id = "";
      if (match[1] !== undefined) {
        try {
          id = decodeURIComponent(match[1]);
        } catch {
          return refusal(principal, 404, `Unknown admin page "${path}"`);
        }
      }
      return await page(pageContext({ req, url, principal, deps, live, daily }), id, form);
    }
    const known = ROUTES.some(([, pattern]) => pattern.test(path));
    return refusal(
      principal,
      known ? 405 : 404,
      known ? `Method ${req.method} is not allowed here` : `Unknown admin page "${path}"`,
    );
  }

  async function signin(req: Request, url: URL, method: string, secure: boolean): Promise<Response> {
    const next = safeNext(url.searchParams.get("next"));
    if (method === "GET") return htmlResponse(signinPage({ next }));
    if (method !== "POST") {
      return htmlResponse(signinPage({ error: `Method ${req.method} is not allowed here` }), 405);
    }
    const origin = req.headers.get("origin");
    if (origin !== null && origin !== url.origin) {
      return htmlResponse(signinPage({ error: "Refused: the form came from another site" }), 403);
    }
    const form = await readForm(req);
    const role = form === null ? null : auth.roleOf(form.get("token") ?? "");
    if (role === null) {
      return htmlResponse(
        signinPage({ error: "Invalid token", next: safeNext(form?.get("next") ?? null) }),
        401,
      );
    }
    const id = auth.startSession(role);
    return redirect(safeNext(form!.get("next")), { "set-cookie": sessionCookie(id, secure) });
  }
}

/** Where to go after signing in: a path under `/admin/`, never another site. */
export function safeNext(next: string | null): string {
  return next !== null && next.startsWith("/admin/") && !next.startsWith("//") && !next.includes("\\")
    ? next
    : "/admin/";
}

function refusal(principal: Principal, status: number, message: string): Response {
  return htmlResponse(
    layout("Refused", principal, `<div class="flash error" role="alert">${esc(message)}</div>`),
    status,
  );
}

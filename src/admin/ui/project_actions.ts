/**
 * The writes of the Projects pages, each one management API call made as the signed-in user: create a
 * project, save its policy, disable or enable it, create, rotate or revoke keys and tokens. A refused
 * change re-renders the page with the API's message and status.
 */
import { GatewayError } from "../../server/errors.ts";
import { htmlResponse, redirect } from "./http.ts";
import type { PageContext } from "./page.ts";
import { policyFromForm } from "./policy_form.ts";
import { projectPage, secretPage } from "./project_page.ts";
import { projectsPage } from "./projects_page.ts";
import { keyPage } from "./key_page.ts";

type Item = Record<string, unknown>;

function optional(form: URLSearchParams, name: string): string | undefined {
  const v = (form.get(name) ?? "").trim();
  return v === "" ? undefined : v;
}

function numberOrText(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

/** Runs a change; a refused one (a `GatewayError`) renders `page` with its message instead. */
async function change(
  ctx: PageContext,
  page: (flash: { kind: "error"; text: string }) => Promise<string>,
  fn: () => Promise<Response>,
): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof GatewayError) || err.status >= 500) throw err;
    let html: string;
    try {
      html = await page({ kind: "error", text: err.message });
    } catch {
      html = await projectsPage(ctx, { kind: "error", text: err.message });
    }
    return htmlResponse(html, err.status);
  }
}

const projectUrl = (name: unknown) => `/admin/projects/${encodeURIComponent(String(name))}`;

/** `POST /admin/projects` */
export function createProject(ctx: PageContext, form: URLSearchParams): Promise<Response> {
  return change(ctx, (f) => projectsPage(ctx, f), async () => {
    const cap = numberOrText(optional(form, "daily_cost_eur"));
    const body = {
      name: form.get("name") ?? "",
      description: form.get("description") ?? "",
      ...(cap !== undefined ? { policy: { daily_cost_eur: cap } } : {}),
    };
    const project = await ctx.manage("POST", "/projects", body) as Item;
    return redirect(projectUrl(project.name));
  });
}

/** `POST /admin/projects/{name}`: description and policy. */
export function updateProject(ctx: PageContext, name: string, form: URLSearchParams): Promise<Response> {
  return change(ctx, (f) => projectPage(ctx, name, f), async () => {
    const body = { description: form.get("description") ?? "", policy: policyFromForm(form) };
    await ctx.manage("PATCH", `/projects/${encodeURIComponent(name)}`, body);
    return redirect(projectUrl(name));
  });
}

/** `POST /admin/projects/{name}/disable` and `/enable` */
export function setProjectDisabled(ctx: PageContext, name: string, disabled: boolean): Promise<Response> {
  return change(ctx, (f) => projectPage(ctx, name, f), async () => {
    await ctx.manage("PATCH", `/projects/${encodeURIComponent(name)}`, { disabled });
    return redirect(projectUrl(name));
  });
}

/** `POST /admin/keys`: shows the new key's secret once. */
export function createKey(ctx: PageContext, form: URLSearchParams): Promise<Response> {
  const project = form.get("project") ?? "";
  return change(ctx, (f) => projectPage(ctx, project, f), async () => {
    const name = optional(form, "name");
    const expires = optional(form, "expires_in");
    const key = await ctx.manage("POST", "/keys", {
      project,
      ...(name !== undefined ? { name } : {}),
      ...(expires !== undefined ? { expires_in: expires } : {}),
    }) as Item;
    return htmlResponse(
      secretPage(ctx, { kind: "key", id: String(key.id), project, secret: String(key.secret) }),
      201,
    );
  });
}

/** `POST /admin/keys/{id}/rotate`: shows the new key's secret once; the old one works for the grace. */
export function rotateKey(ctx: PageContext, id: string, form: URLSearchParams): Promise<Response> {
  return change(ctx, (f) => projectsPage(ctx, f), async () => {
    const grace = optional(form, "grace");
    const key = await ctx.manage(
      "POST",
      `/keys/${encodeURIComponent(id)}/rotate`,
      grace !== undefined ? { grace } : {},
    ) as Item;
    const previous = key.previous as Item;
    return htmlResponse(
      secretPage(ctx, {
        kind: "key",
        id: String(key.id),
        project: String(key.project),
        secret: String(key.secret),
        note: `The old key ${previous.id} keeps working until ${previous.expires_at ?? "it is revoked"}.`,
      }),
      201,
    );
  });
}

/** `POST /admin/keys/{id}/revoke` */
export function revokeKey(ctx: PageContext, id: string): Promise<Response> {
  return change(ctx, (f) => projectsPage(ctx, f), async () => {
    const key = await ctx.manage("POST", `/keys/${encodeURIComponent(id)}/revoke`) as Item;
    return redirect(projectUrl(key.project));
  });
}

/** `POST /admin/tokens`: shows the new token's secret once. */
export function createToken(ctx: PageContext, form: URLSearchParams): Promise<Response> {
  const project = form.get("project") ?? "";
  return change(ctx, (f) => projectPage(ctx, project, f), async () => {
    const name = optional(form, "name");
    const ttl = optional(form, "ttl");
    const max = numberOrText(optional(form, "max_requests"));
    const token = await ctx.manage("POST", "/tokens", {
      project,
      ...(name !== undefined ? { name } : {}),
      ...(ttl !== undefined ? { ttl } : {}),
      ...(max !== undefined ? { max_requests: max } : {}),
    }) as Item;
    return htmlResponse(
      secretPage(ctx, { kind: "token", id: String(token.id), project, secret: String(token.secret) }),
      201,
    );
  });
}

/** `POST /admin/tokens/{id}/revoke` */
export function revokeToken(ctx: PageContext, id: string): Promise<Response> {
  return change(ctx, (f) => projectsPage(ctx, f), async () => {
    const token = await ctx.manage("POST", `/tokens/${encodeURIComponent(id)}/revoke`) as Item;
    return redirect(projectUrl(token.project));
  });
}

/** `POST /admin/keys/{id}`: name and policy. */
export function updateKey(ctx: PageContext, id: string, form: URLSearchParams): Promise<Response> {
  return change(ctx, (f) => keyPage(ctx, id, f), async () => {
    await ctx.manage("PATCH", `/keys/${encodeURIComponent(id)}`, {
      name: form.get("name") ?? "",
      policy: policyFromForm(form),
    });
    return redirect(`/admin/keys/${encodeURIComponent(id)}`);
  });
}

/** `POST /admin/keys/{id}/enable`: undoes a revoke. */
export function enableKey(ctx: PageContext, id: string): Promise<Response> {
  return change(ctx, (f) => keyPage(ctx, id, f), async () => {
    await ctx.manage("PATCH", `/keys/${encodeURIComponent(id)}`, { disabled: false });
    return redirect(`/admin/keys/${encodeURIComponent(id)}`);
  });
}

/** One project: its policy editor, enable/disable, and its keys and tokens with create, rotate and revoke. */
import { csrfField, esc, eur, postButton, table, time } from "./html.ts";
import { type Flash, layout } from "./layout.ts";
import { listAll, type PageContext } from "./page.ts";
import { policyFields, policySummary } from "./policy_form.ts";

const STATUS_BADGE: Record<string, string> = {
  active: "ok",
  grace: "warn",
  disabled: "off",
  revoked: "off",
  expired: "bad",
  exhausted: "bad",
};

function badge(status: unknown): string {
  return `<span class="badge ${STATUS_BADGE[String(status)] ?? "off"}">${esc(status)}</span>`;
}

/** Renders the page of project `name`. */
export async function projectPage(
  ctx: PageContext,
  name: string,
  flash: Flash | null = null,
): Promise<string> {
  const project = await ctx.manage("GET", `/projects/${encodeURIComponent(name)}`) as Record<string, unknown>;
  const keys = await listAll(ctx, "/keys", { project: name });
  const tokens = await listAll(ctx, "/tokens", { project: name });
  const admin = ctx.principal.role === "admin";
  const csrf = ctx.principal.csrf;
  const policy = project.policy as Record<string, unknown>;
  const base = `/admin/projects/${encodeURIComponent(name)}`;

  const keyRows = keys.map((k) => {
    const id = String(k.id);
    const actions = admin && (k.status === "active")
      ? `<form method="post" action="/admin/keys/${encodeURIComponent(id)}/rotate" class="inline">${
        csrfField(csrf)
      }<label>Grace <select name="grace" aria-label="Grace period of ${esc(id)}">` +
        `<option value="0s">none</option><option value="1h">1 hour</option><option value="24h" selected>24 hours</option>` +
        `<option value="7d">7 days</option></select></label> <button type="submit" aria-label="Rotate key ${
          esc(id)
        }">Rotate</button></form> ` +
        postButton(`/admin/keys/${encodeURIComponent(id)}/revoke`, "Revoke", csrf, {
          danger: true,
          confirm: `Revoke key ${id}? Callers using it are refused at once.`,
          aria: `Revoke key ${id}`,
        })
      : admin && k.status === "grace"
      ? postButton(`/admin/keys/${encodeURIComponent(id)}/revoke`, "Revoke now", csrf, {
        danger: true,
        confirm: `Revoke key ${id} now, before its grace period ends?`,
        aria: `Revoke key ${id}`,
      })
      : "";
    return [
      `<a href="/admin/keys/${encodeURIComponent(id)}"><code>${esc(id)}</code></a>`,
      esc(k.name),
      `<code>${esc(k.prefix)}…</code>`,
      badge(k.status),
      time(k.expires_at as string | null),
      esc(eur(ctx.deps.spendToday(`key:${id}`))),
      actions,
    ];
  });
  const tokenRows = tokens.map((t) => {
    const id = String(t.id);
    const used = t.max_requests === null ? String(t.request_count) : `${t.request_count} / ${t.max_requests}`;
    return [
      `<code>${esc(id)}</code>`,
      esc(t.name),
      `<code>${esc(t.prefix)}…</code>`,
      badge(t.status),
      time(t.expires_at as string),
      esc(used),
      admin && t.status === "active"
        ? postButton(`/admin/tokens/${encodeURIComponent(id)}/revoke`, "Revoke", csrf, {
          danger: true,
          confirm: `Revoke token ${id}?`,
          aria: `Revoke token ${id}`,
        })
        : "",
    ];
  });

  const editor = admin
    ? `<section class="panel"><h2>Policy</h2>
<form method="post" action="${base}" class="stack">${csrfField(csrf)}
<label for="p-description">Description</label><input id="p-description" name="description" type="text" value="${
      esc(project.description)
    }">
${policyFields(policy)}
<div class="actions"><button type="submit" class="primary">Save policy</button></div></form>
<p>${
      project.disabled
        ? postButton(`${base}/enable`, "Enable project", csrf)
        : postButton(`${base}/disable`, "Disable project", csrf, {
          danger: true,
          confirm: `Disable project ${name}? Its keys and tokens are refused until it is enabled again.`,
        })
    }</p></section>`
    : `<section class="panel"><h2>Policy</h2><p>${esc(policySummary(policy))}</p></section>`;

  const newKey = admin
    ? `<form method="post" action="/admin/keys" class="row create">${csrfField(csrf)}
<input type="hidden" name="project" value="${esc(name)}">
<label for="key-name">Key name<input id="key-name" name="name" type="text" placeholder="e.g. ci"></label>
<label for="key-expires">Expires in<input id="key-expires" name="expires_in" type="text" placeholder="never (e.g. 90d)"></label>
<button type="submit" class="primary">Create key</button></form>`
    : "";
  const newToken = admin
    ? `<form method="post" action="/admin/tokens" class="row create">${csrfField(csrf)}
<input type="hidden" name="project" value="${esc(name)}">
<label for="token-name">Token name<input id="token-name" name="name" type="text" placeholder="e.g. notebook"></label>
<label for="token-ttl">Lifetime<input id="token-ttl" name="ttl" type="text" value="1h"></label>
<label for="token-max">Max requests<input id="token-max" name="max_requests" type="text" inputmode="numeric" placeholder="no limit"></label>
<button type="submit" class="primary">Create token</button></form>`
    : "";

  const status = project.disabled
    ? `<span class="badge off">disabled</span>`
    : `<span class="badge ok">active</span>`;
  return layout(
    `Project ${name}`,
    ctx.principal,
    `<p>${status} · spend today <strong>${esc(eur(ctx.deps.spendToday(`project:${name}`)))}</strong> · ` +
      `<a href="/admin/projects">all projects</a> · <a href="/admin/audit?project=${
        encodeURIComponent(name)
      }">audit trail</a></p>
<section class="panel">${
        table("API keys", ["Key", "Name", "Prefix", "Status", "Expires", "Spend today", "Actions"], keyRows, {
          numeric: [5],
          empty: "No keys yet",
        })
      }${newKey}</section>
<section class="panel">${
        table("Tokens", ["Token", "Name", "Prefix", "Status", "Expires", "Requests", "Actions"], tokenRows, {
          empty: "No tokens yet",
        })
      }${newToken}</section>
${editor}`,
    { current: "/admin/projects", flash },
  );
}

/** The page that shows a new key's or token's secret, once. */
export function secretPage(
  ctx: PageContext,
  what: { kind: "key" | "token"; id: string; project: string; secret: string; note?: string },
): string {
  const label = what.kind === "key" ? "API key" : "Token";
  return layout(
    `New ${what.kind === "key" ? "API key" : "token"} ${what.id}`,
    ctx.principal,
    `<section class="panel"><p><strong>Copy the secret now: it is shown only this once.</strong> The gateway keeps
only its digest.</p>
<div class="secret"><label for="secret">Secret of ${esc(what.id)}</label>
<input id="secret" type="text" readonly value="${esc(what.secret)}">
<button type="button" data-copy="secret">Copy</button></div>
${what.note ? `<p>${esc(what.note)}</p>` : ""}
<p>Use it as <code>Authorization: Bearer &lt;secret&gt;</code> (or <code>api-key</code> / <code>x-api-key</code>).</p>
<p><a href="/admin/projects/${encodeURIComponent(what.project)}">Back to project ${
      esc(what.project)
    }</a></p></section>`,
    { current: "/admin/projects", flash: { kind: "ok", text: `${label} ${what.id} created` } },
  );
}

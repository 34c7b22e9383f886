/** One API key: its details, and (for the admin) its name and policy editor, enable and revoke. */
import { csrfField, esc, eur, postButton, time } from "./html.ts";
import { type Flash, layout } from "./layout.ts";
import type { PageContext } from "./page.ts";
import { policyFields, policySummary } from "./policy_form.ts";

/** Renders the page of key `id`. */
export async function keyPage(ctx: PageContext, id: string, flash: Flash | null = null): Promise<string> {
  const key = await ctx.manage("GET", `/keys/${encodeURIComponent(id)}`) as Record<string, unknown>;
  const policy = key.policy as Record<string, unknown>;
  const project = String(key.project);
  const base = `/admin/keys/${encodeURIComponent(id)}`;
  const csrf = ctx.principal.csrf;
  const facts: [string, string][] = [
    ["Project", `<a href="/admin/projects/${encodeURIComponent(project)}">${esc(project)}</a>`],
    ["Name", esc(key.name)],
    ["Prefix", `<code>${esc(key.prefix)}…</code>`],
    ["Status", esc(key.status)],
    ["Expires", time(key.expires_at as string | null)],
    [
      "Replaced by",
      key.replaced_by
        ? `<a href="/admin/keys/${encodeURIComponent(String(key.replaced_by))}"><code>${
          esc(key.replaced_by)
        }</code></a>`
        : "–",
    ],
    ["Created", time(key.created_at as string)],
    ["Spend today", esc(eur(ctx.deps.spendToday(`key:${id}`)))],
    ["Policy", esc(policySummary(policy))],
  ];
  const details = `<section class="panel"><dl class="facts">${
    facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join("")
  }</dl></section>`;
  const editor = ctx.principal.role !== "admin" ? "" : `<section class="panel"><h2>Name and policy</h2>
<p class="muted">The key's policy narrows the project's: where both set a limit, the smaller one applies.</p>
<form method="post" action="${base}" class="stack">${csrfField(csrf)}
<label for="k-name">Key name</label><input id="k-name" name="name" type="text" value="${esc(key.name)}">
${policyFields(policy, "k")}
<div class="actions"><button type="submit" class="primary">Save key</button></div></form>
<p>${
    key.status === "disabled"
      ? postButton(`${base}/enable`, "Enable key", csrf)
      : postButton(`${base}/revoke`, "Revoke key", csrf, { danger: true, confirm: `Revoke key ${id}?` })
  }</p></section>`;
  return layout(`Key ${id}`, ctx.principal, details + editor, { current: "/admin/projects", flash });
}

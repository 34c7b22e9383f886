/** The Projects page: every project with its policy and today's spend against its cap, and a create form. */
import { csrfField, esc, eur, table } from "./html.ts";
import { type Flash, layout } from "./layout.ts";
import { listAll, type PageContext } from "./page.ts";
import { policySummary } from "./policy_form.ts";

/** Renders the Projects page. */
export async function projectsPage(ctx: PageContext, flash: Flash | null = null): Promise<string> {
  const projects = await listAll(ctx, "/projects");
  const rows = projects.map((p) => {
    const name = String(p.name);
    const policy = p.policy as Record<string, unknown>;
    const cap = typeof policy.daily_cost_eur === "number" ? eur(policy.daily_cost_eur) : "–";
    return [
      `<a href="/admin/projects/${encodeURIComponent(name)}">${esc(name)}</a>`,
      esc(p.description),
      p.disabled ? `<span class="badge off">disabled</span>` : `<span class="badge ok">active</span>`,
      esc(policySummary(policy)),
      esc(eur(ctx.deps.spendToday(`project:${name}`))),
      esc(cap),
    ];
  });
  const create = ctx.principal.role === "admin"
    ? `<section class="panel"><h2>New project</h2>
<form method="post" action="/admin/projects" class="stack">${csrfField(ctx.principal.csrf)}
<label for="new-name">Name</label><input id="new-name" name="name" type="text" required pattern="[a-z0-9][a-z0-9_\\-]{0,63}" placeholder="e.g. search-team">
<label for="new-description">Description</label><input id="new-description" name="description" type="text">
<label for="new-cap">Daily cost cap (EUR)</label><input id="new-cap" name="daily_cost_eur" type="text" inputmode="decimal" placeholder="no limit">
<div class="actions"><button type="submit" class="primary">Create project</button></div>
</form></section>`
    : "";
  return layout(
    "Projects",
    ctx.principal,
    `<section class="panel">${
      table("Projects", ["Project", "Description", "Status", "Policy", "Spend today", "Daily cap"], rows, {
        numeric: [4, 5],
        empty: "No projects yet",
      })
    }</section>${create}`,
    { current: "/admin/projects", flash },
  );
}

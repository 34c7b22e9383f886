/**
 * The Audit page: the audit trail newest first, filtered by actor, action and project; changes made in
 * the UI show as `ui:admin`. Actor and action are matched here over the latest entries (the store filters
 * by project only).
 */
import { esc, table, time } from "./html.ts";
import { layout } from "./layout.ts";
import { listAll, type PageContext } from "./page.ts";

/** Entries read from the store per page view, newest first. */
export const AUDIT_WINDOW = 1_000;
/** Entries shown. */
export const AUDIT_SHOWN = 200;

function changed(before: unknown, after: unknown): string {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  if (before === null) return "created";
  const keys = new Set([...Object.keys(b), ...Object.keys(a)]);
  const diff = [...keys].filter((k) => k !== "updated_at" && JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  return diff.length === 0 ? "–" : diff.join(", ");
}

/** Renders the Audit page. */
export async function auditPage(ctx: PageContext): Promise<string> {
  const q = ctx.url.searchParams;
  const actor = q.get("actor")?.trim() ?? "";
  const action = q.get("action")?.trim() ?? "";
  const project = q.get("project")?.trim() ?? "";
  const entries = await listAll(ctx, "/audit", project ? { project } : {}, AUDIT_WINDOW);
  const actions = [...new Set(entries.map((e) => String(e.action)))].sort();
  const shown = entries.filter((e) => {
    const who = e.actor as { id: string; role: string };
    if (actor && !who.id.includes(actor) && who.role !== actor) return false;
    return !action || String(e.action) === action || String(e.action).startsWith(`${action}.`);
  }).slice(0, AUDIT_SHOWN);
  const rows = shown.map((e) => {
    const who = e.actor as { id: string; role: string };
    const target = e.target as { type: string; id: string };
    return [
      time(e.at as string),
      `<code>${esc(who.id)}</code>`,
      esc(e.action),
      `${esc(target.type)} <code>${esc(target.id)}</code>`,
      esc(e.project ?? "–"),
      esc(changed(e.before, e.after)),
    ];
  });
  const list = actions.map((a) => `<option value="${esc(a)}">`).join("");
  return layout(
    "Audit",
    ctx.principal,
    `<form method="get" action="/admin/audit" class="row">
<label for="a-actor">Actor<input id="a-actor" name="actor" type="text" value="${
      esc(actor)
    }" placeholder="e.g. ui:admin"></label>
<label for="a-action">Action<input id="a-action" name="action" type="text" list="a-actions" value="${
      esc(action)
    }" placeholder="e.g. key.disable"></label><datalist id="a-actions">${list}</datalist>
<label for="a-project">Project<input id="a-project" name="project" type="text" value="${
      esc(project)
    }"></label>
<button type="submit">Filter</button></form>
<section class="panel">${
      table("Audit trail", ["Time", "Actor", "Action", "Target", "Project", "Changed"], rows, {
        empty: "No entries match",
      })
    }</section>`,
    { current: "/admin/audit" },
  );
}

/**
 * The Calls page: the latest calls' metadata (time, caller, model, upstream, status, latency, tokens,
 * cost — never bodies), filterable, refreshed every few seconds from `GET /admin/api/calls`.
 */
import { esc, table } from "./html.ts";
import { layout } from "./layout.ts";
import { jsonResponse } from "./http.ts";
import type { PageContext } from "./page.ts";
import { type CallFilter, type CallSummary, isError } from "./recent_calls.ts";

const HEAD = [
  "Time (UTC)",
  "Project",
  "Caller",
  "Model",
  "Upstream",
  "Status",
  "ms",
  "Tokens in/out",
  "Cost €",
];
const NUMERIC = [6, 8];

/** The filter in the query string (`project`, `model`, `caller`, `outcome`). */
export function callFilter(query: URLSearchParams): CallFilter {
  const f: CallFilter = {};
  for (const k of ["project", "model", "caller"] as const) {
    const v = query.get(k)?.trim();
    if (v) f[k] = v;
  }
  const outcome = query.get("outcome");
  if (outcome === "ok" || outcome === "error") f.outcome = outcome;
  return f;
}

/** One call as plain cell texts. */
export function callCells(c: CallSummary): string[] {
  const status = c.status === "client_closed" ? "client closed" : String(c.status);
  return [
    c.ts.slice(11, 19),
    c.project ?? "–",
    c.caller.replace(/^(key|token):/, ""),
    c.model ?? "–",
    c.upstream ?? "–",
    c.error ? `${status} ${c.error}` : status,
    String(Math.round(c.latencyMs)),
    `${c.promptTokens} / ${c.completionTokens}`,
    c.costEur === null ? "–" : c.costEur.toFixed(6),
  ];
}

/** `GET /admin/api/calls`: the filtered calls as rows of plain text (the page's script renders them). */
export function callsJson(ctx: PageContext): Response {
  const calls = ctx.deps.calls.list(callFilter(ctx.url.searchParams));
  return jsonResponse({
    rows: calls.map((c) => ({ cells: callCells(c), error: isError(c.status), numeric: NUMERIC })),
  });
}

/** Renders the Calls page. */
export function callsPage(ctx: PageContext): string {
  const filter = callFilter(ctx.url.searchParams);
  const calls = ctx.deps.calls.list(filter);
  const value = (k: keyof CallFilter) => esc(filter[k] ?? "");
  const outcome = (v: string, label: string) =>
    `<option value="${v}"${(filter.outcome ?? "") === v ? " selected" : ""}>${label}</option>`;
  const api = `/admin/api/calls?${new URLSearchParams(filter as Record<string, string>)}`;
  const rows = calls.map((c) => callCells(c).map(esc));
  return layout(
    "Calls",
    ctx.principal,
    `<form method="get" action="/admin/calls" class="row">
<label for="c-project">Project<input id="c-project" name="project" type="text" value="${
      value("project")
    }"></label>
<label for="c-caller">Caller<input id="c-caller" name="caller" type="text" value="${
      value("caller")
    }" placeholder="key or token id"></label>
<label for="c-model">Model<input id="c-model" name="model" type="text" value="${value("model")}"></label>
<label for="c-outcome">Outcome<select id="c-outcome" name="outcome">${outcome("", "all")}${
      outcome("ok", "ok")
    }${outcome("error", "errors")}</select></label>
<button type="submit">Filter</button>
<label class="live-label"><span><input type="checkbox" id="live-toggle" checked> Live updates</span></label>
<span id="live-status" class="live" role="status" aria-live="polite"></span></form>
<p class="muted">Metadata of this instance's latest calls; request and response bodies are never shown.</p>
<section class="panel">${
      table("Recent calls", HEAD, rows, {
        numeric: NUMERIC,
        empty: "No calls match",
        id: "calls-body",
        compact: true,
      })
        .replace(
          '<tbody id="calls-body">',
          `<tbody id="calls-body" data-live="${esc(api)}" data-interval="3000">`,
        )
    }</section>`,
    { current: "/admin/calls" },
  );
}

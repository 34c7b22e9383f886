/**
 * The Usage page: spend, tokens and requests by day, model, project, key or upstream over a range of
 * days — the figures of `azmw cost report`, from the same builder — with a CSV export.
 */
import { averageEur, GROUP_BY, type GroupBy, type ReportRow } from "../../cost/report.ts";
import { reportCsv } from "../../cost/report_format.ts";
import { addDays, dayRange, parseDay } from "../../logs/day.ts";
import { barList, columnChart } from "./chart.ts";
import { count, esc, eur, table } from "./html.ts";
import { layout } from "./layout.ts";
import { respond } from "./http.ts";
import type { PageContext } from "./page.ts";
import { report, today } from "./report.ts";

/** Longest range the page reports on. */
export const MAX_DAYS = 366;

/** The range and grouping asked for, or the problem with them. */
export interface UsageQuery {
  from: string;
  to: string;
  by: GroupBy;
  error: string | null;
}

/** Reads `from`, `to` (`YYYY-MM-DD` or `YYYYMMDD`) and `by` from the query; default the last 30 days by day. */
export function usageQuery(ctx: PageContext): UsageQuery {
  const q = ctx.url.searchParams;
  const to0 = today(ctx);
  const byText = q.get("by") ?? "day";
  const by = (GROUP_BY as readonly string[]).includes(byText) ? byText as GroupBy : "day";
  try {
    const to = q.get("to") ? parseDay(q.get("to")!.replaceAll("-", "")) : to0;
    const from = q.get("from") ? parseDay(q.get("from")!.replaceAll("-", "")) : addDays(to, -29);
    dayRange(from, to, MAX_DAYS);
    const error = by === byText
      ? null
      : `Invalid grouping ${JSON.stringify(byText.slice(0, 20))}: showing by day`;
    return { from, to, by, error };
  } catch (err) {
    return {
      from: addDays(to0, -29),
      to: to0,
      by,
      error: `${(err as Error).message}: showing the last 30 days`,
    };
  }
}

const dashed = (d: string) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}`;

function cells(row: ReportRow, key: string): string[] {
  return [
    esc(key),
    count(row.requests),
    count(row.promptTokens),
    count(row.cachedTokens),
    count(row.completionTokens),
    count(row.reasoningTokens),
    `${esc(eur(row.costEur))}${row.repriced > 0 ? "*" : ""}`,
    esc(eur(averageEur(row))),
  ];
}

/** Renders the Usage page. */
export async function usagePage(ctx: PageContext): Promise<string> {
  const q = usageQuery(ctx);
  const r = await report(ctx, dayRange(q.from, q.to, MAX_DAYS), q.by);
  const options = GROUP_BY.map((g) => `<option value="${g}"${g === q.by ? " selected" : ""}>${g}</option>`)
    .join("");
  const csv = `/admin/usage.csv?${new URLSearchParams({ from: q.from, to: q.to, by: q.by })}`;
  const rows = [...r.rows.map((row) => cells(row, row.key)), cells(r.total, "Total")];
  const notes = [
    r.total.repriced > 0
      ? `* ${r.total.repriced} records had no logged cost and were priced from their usage.`
      : "",
    r.total.estimated > 0 ? `${r.total.estimated} records have estimated usage.` : "",
    r.skipped > 0 ? `${r.skipped} unreadable log lines were skipped.` : "",
  ].filter((n) => n !== "").map((n) => `<p class="muted">${esc(n)}</p>`).join("");
  return layout(
    "Usage",
    ctx.principal,
    `<form method="get" action="/admin/usage" class="row">
<label for="u-from">From<input id="u-from" name="from" type="date" value="${dashed(q.from)}"></label>
<label for="u-to">To<input id="u-to" name="to" type="date" value="${dashed(q.to)}"></label>
<label for="u-by">Group by<select id="u-by" name="by">${options}</select></label>
<button type="submit">Show</button> <a href="${esc(csv)}" download>Export CSV</a></form>
<p>Total <strong>${esc(eur(r.total.costEur))}</strong> for ${count(r.total.requests)} requests from ${
      dashed(r.from)
    } to ${dashed(r.to)}; EUR, prices as of ${esc(r.pricesAsOf)}.</p>
<div class="grid2"><section class="panel">${
      columnChart("Spend per day", r.perDay.map((d) => ({ label: d.day.slice(4), value: d.costEur })), {
        format: eur,
      })
    }</section><section class="panel">${
      barList("Spend per model", r.perModel.slice(0, 6).map((m) => ({ label: m.model, value: m.costEur })), {
        format: eur,
      })
    }</section></div>
<section class="panel">${
      table(
        `By ${q.by}`,
        [q.by, "Requests", "Prompt", "Cached", "Completion", "Reasoning", "Cost", "Avg/request"],
        rows,
        {
          numeric: [1, 2, 3, 4, 5, 6, 7],
        },
      )
    }${notes}</section>`,
    { current: "/admin/usage", flash: q.error ? { kind: "error", text: q.error } : null },
  );
}

/** `GET /admin/usage.csv`: the report as CSV, as `azmw cost report --format csv` writes it. */
export async function usageCsv(ctx: PageContext): Promise<Response> {
  const q = usageQuery(ctx);
  const r = await report(ctx, dayRange(q.from, q.to, MAX_DAYS), q.by);
  return respond(reportCsv(r), {
    type: "text/csv; charset=utf-8",
    headers: { "content-disposition": `attachment; filename="azmw-cost-${q.from}-${q.to}-by-${q.by}.csv"` },
  });
}

/** Text forms of a cost report: an aligned table for people, CSV for spreadsheets, JSON for programs. */
import { printable, printableJson } from "../printable.ts";
import { averageEur, type CostReport, type ReportRow } from "./report.ts";

/** Report output formats. */
export type ReportFormat = "table" | "csv" | "json" | "html";

/** Every format, for argument parsing. */
export const REPORT_FORMATS: readonly ReportFormat[] = ["table", "csv", "json", "html"];

/** A row in the JSON and CSV shape (snake_case, with the average). */
export function rowJson(row: ReportRow): Record<string, string | number> {
  return {
    key: row.key,
    requests: row.requests,
    refused: row.refused,
    prompt_tokens: row.promptTokens,
    cached_tokens: row.cachedTokens,
    cache_write_tokens: row.cacheWriteTokens,
    completion_tokens: row.completionTokens,
    reasoning_tokens: row.reasoningTokens,
    cost_eur: row.costEur,
    avg_cost_eur: averageEur(row),
    repriced: row.repriced,
    estimated: row.estimated,
  };
}

/** The report as pretty JSON. */
export function reportJson(r: CostReport): string {
  return `${
    printableJson(JSON.stringify(
      {
        from: r.from,
        to: r.to,
        by: r.by,
        currency: r.currency,
        prices_as_of: r.pricesAsOf,
        rows: r.rows.map(rowJson),
        total: rowJson(r.total),
        per_day: r.perDay.map((d) => ({ day: d.day, cost_eur: d.costEur })),
        per_model: r.perModel.map((m) => ({ model: m.model, cost_eur: m.costEur })),
        files: r.files,
        skipped: r.skipped,
      },
      null,
      2,
    ))
  }\n`;
}

/**
 * One CSV field. A text starting with `=`, `+`, `-`, `@`, tab or CR is a formula to spreadsheets
 * (`=HYPERLINK(...)` in a model name): it gets a leading `'` so it stays text (OWASP's advice).
 */
export function csvField(v: string | number): string {
  let s = String(v);
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The report as CSV: a header, one line per group, and a `TOTAL` line. */
export function reportCsv(r: CostReport): string {
  const rows = [...r.rows.map(rowJson), { ...rowJson(r.total), key: "TOTAL" }];
  const header = Object.keys(rowJson(r.total)).map((k) => (k === "key" ? r.by : k));
  return [header, ...rows.map((row) => Object.values(row))]
    .map((fields) => fields.map(csvField).join(","))
    .join("\n") + "\n";
}

/** EUR as shown in tables: four decimals below €100, two above. */
export function eurText(eur: number): string {
  return eur >= 100 ? eur.toFixed(2) : eur.toFixed(4);
}

/** The report as an aligned text table with a total line and notes. */
export function reportTable(r: CostReport): string {
  const head = [
    r.by.toUpperCase(),
    "REQUESTS",
    "REFUSED",
    "PROMPT",
    "CACHED",
    "COMPLETION",
    "REASONING",
    "COST €",
    "AVG €/REQ",
  ];
  const line = (row: ReportRow) => [
    printable(row.key),
    String(row.requests),
    String(row.refused),
    String(row.promptTokens),
    String(row.cachedTokens),
    String(row.completionTokens),
    String(row.reasoningTokens),
    eurText(row.costEur) + (row.repriced > 0 ? "*" : ""),
    eurText(averageEur(row)),
  ];
  const body = r.rows.map(line);
  const total = line({ ...r.total, key: "TOTAL" });
  const widths = head.map((h, i) => Math.max(h.length, ...[...body, total].map((cells) => cells[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const out = [
    printable(`Cost report ${r.from} to ${r.to} by ${r.by} (EUR; prices as of ${r.pricesAsOf})`),
    "",
    fmt(head),
    ...body.map(fmt),
    rule,
    fmt(total),
  ];
  if (r.total.repriced > 0) {
    out.push(
      "",
      `* ${r.total.repriced} records had no logged cost and were priced from their usage with the current table`,
    );
  }
  if (r.total.estimated > 0) {
    out.push(
      `${r.total.estimated} records have estimated usage (the upstream sent none, e.g. a stream on an Azure ` +
        `api-version before 2024-09-01): an upper bound, not an exact figure`,
    );
  }
  if (r.total.refused > 0) {
    out.push(
      `REFUSED: calls the gateway refused before any upstream attempt; not counted in REQUESTS or AVG €/REQ`,
    );
  }
  if (r.skipped > 0) out.push(`${r.skipped} unreadable lines were skipped`);
  return out.join("\n") + "\n";
}

/**
 * The cost report as one self-contained HTML page: inline CSS and SVG bar charts of spend per day and
 * per model, the grouped table and the notes. No script, font or image is loaded from anywhere.
 */
import { averageEur, type CostReport } from "./report.ts";
import { eurText } from "./report_format.ts";

/** Models shown separately in the chart; the rest are summed as "other". */
const TOP_MODELS = 12;

/** HTML text: markup characters as references; NUL and other controls HTML forbids become U+FFFD. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
    // deno-lint-ignore no-control-regex -- these control characters are what is checked for
    .replace(/[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]/g, "\ufffd");
}

/** A horizontal-label bar chart (one bar per item) as inline SVG. */
export function barChart(title: string, items: readonly { label: string; value: number }[]): string {
  const width = 720;
  const left = 170;
  const barH = 18;
  const gap = 6;
  const top = 28;
  const height = top + items.length * (barH + gap) + 10;
  const max = Math.max(0, ...items.map((i) => i.value));
  const scale = max > 0 ? (width - left - 90) / max : 0;
  const bars = items.map((item, n) => {
    const y = top + n * (barH + gap);
    const w = Math.max(item.value > 0 ? 1 : 0, item.value * scale);
    const label = item.label.length > 24 ? `${item.label.slice(0, 23)}…` : item.label;
    return `<text x="${left - 8}" y="${y + 13}" text-anchor="end">${esc(label)}</text>` +
      `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" rx="2"><title>${
        esc(`${item.label}: €${eurText(item.value)}`)
      }</title></rect>` +
      `<text x="${(left + w + 6).toFixed(1)}" y="${y + 13}">€${eurText(item.value)}</text>`;
  });
  return `<svg role="img" aria-label="${esc(title)}" ` +
    `viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">` +
    `<text x="0" y="16" class="t">${esc(title)}</text>${bars.join("")}</svg>`;
}

/** The whole page. */
export function reportHtml(r: CostReport): string {
  const models = r.perModel.slice(0, TOP_MODELS).map((m) => ({ label: m.model, value: m.costEur }));
  const rest = r.perModel.slice(TOP_MODELS).reduce((sum, m) => sum + m.costEur, 0);
  if (rest > 0) models.push({ label: "other", value: rest });
  const cells = (row: CostReport["total"]) =>
    [
      esc(row.key),
      row.requests,
      row.refused,
      row.promptTokens,
      row.cachedTokens,
      row.cacheWriteTokens,
      row.completionTokens,
      row.reasoningTokens,
      `${eurText(row.costEur)}${row.repriced > 0 ? "*" : ""}`,
      eurText(averageEur(row)),
    ].map((c, i) => (i === 0 ? `<td>${c}</td>` : `<td class="n">${c}</td>`)).join("");
  const notes: string[] = [];
  if (r.total.repriced > 0) {
    notes.push(
      `* ${r.total.repriced} records had no logged cost and were priced from their usage with the current table.`,
    );
  }
  if (r.total.estimated > 0) {
    notes.push(`${r.total.estimated} records have estimated usage (an upper bound: the upstream sent none).`);
  }
  if (r.total.refused > 0) {
    notes.push("Refused: calls the gateway refused before any upstream attempt, not counted as requests.");
  }
  if (r.skipped > 0) notes.push(`${r.skipped} unreadable lines were skipped.`);
  const title = `azmw cost report ${r.from} to ${r.to}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1b1f24}
h1{font-size:1.3rem}table{border-collapse:collapse;margin:1rem 0}
td,th{padding:.25rem .6rem;border-bottom:1px solid #d0d7de}th{text-align:left;background:#f6f8fa}
td.n{text-align:right;font-variant-numeric:tabular-nums}tr.total td{font-weight:600}
svg{display:block;margin:1rem 0}svg text{font:12px system-ui,sans-serif;fill:#1b1f24}
svg text.t{font-weight:600;font-size:14px}svg rect{fill:#2f81f7}p.note{color:#57606a}
</style></head><body>
<h1>${esc(title)}</h1>
<p>Total <strong>€${eurText(r.total.costEur)}</strong> for ${r.total.requests} requests,
grouped by ${esc(r.by)}; EUR, prices as of ${esc(r.pricesAsOf)}.</p>
${barChart("Spend per day (EUR)", r.perDay.map((d) => ({ label: d.day, value: d.costEur })))}
${barChart("Spend per model (EUR)", models)}
<table><thead><tr><th>${
    esc(r.by)
  }</th><th>requests</th><th>refused</th><th>prompt</th><th>cached</th><th>cache writes</th>
<th>completion</th><th>reasoning</th><th>cost €</th><th>avg €/request</th></tr></thead><tbody>
${r.rows.map((row) => `<tr>${cells(row)}</tr>`).join("\n")}
<tr class="total">${cells({ ...r.total, key: "Total" })}</tr>
</tbody></table>
${notes.map((n) => `<p class="note">${esc(n)}</p>`).join("\n")}
</body></html>
`;
}

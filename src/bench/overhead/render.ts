/**
 * The overhead report rendered: text for the terminal, a Markdown table for BENCHMARKS.md, JSON for
 * machines (snake_case keys, durations in µs, RSS in bytes) and one HTML page with the spectra plotted.
 */
import { htmlPage, type HtmlSection } from "../html.ts";
import { type ChartSeries, spectrumChart } from "../svg.ts";
import { machineLine } from "./machine.ts";
import type { OverheadReport } from "./runner.ts";
import { cells, columns, reportRows, type RowOptions } from "./table.ts";
import { verdict } from "./targets.ts";

function summaryLine(report: OverheadReport): string {
  const pass = report.targets.filter((t) => t.pass).length;
  return `Targets (DESIGN.md §5): ${pass} of ${report.targets.length} PASS`;
}

/** How busy the machine was with other work while the lanes ran. */
export function otherLoadLine(report: OverheadReport): string {
  return report.otherCpuPct === null
    ? "Other load on the machine: unknown (no /proc)"
    : `Other load on the machine while lanes ran: ${report.otherCpuPct.toFixed(1)}% of its CPU time`;
}

/** The report as aligned text columns plus the target verdicts. */
export function overheadText(report: OverheadReport): string {
  const head = columns(report.subject);
  const rows = [head, ...reportRows(report).map(cells)];
  const widths = head.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  const line = (r: string[]) =>
    r.map((c, i) => c + " ".repeat(widths[i]! - [...c].length)).join("  ").trimEnd();
  const out = [
    `azmw bench --overhead (${report.plan.quick ? "quick" : "full"} run, ${report.plan.rounds} rounds, ` +
    `${report.durationS} s; ${report.subject} config: ${report.gatewayConfig})`,
    machineLine(report.machine),
    otherLoadLine(report),
    "",
    line(rows[0]!),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.slice(1).map(line),
    "",
    summaryLine(report),
    ...report.targets.map((t) =>
      `  ${verdict(t)}  ${t.target}: ${
        t.measured === null ? "not measured" : t.measured.toFixed(3)
      } ${t.unit}` +
      ` (target ${t.comparison} ${t.limit} ${t.unit})${t.note ? `; ${t.note}` : ""}`
    ),
  ];
  return out.join("\n") + "\n";
}

/**
 * The report as a Markdown table: with the request-log rows when `loggingOff` is given, else with a
 * pending row for them unless `pendingLogging` is false.
 */
export function overheadMarkdown(report: OverheadReport, options: RowOptions = {}): string {
  const esc = (c: string) => c.replace(/\|/g, "\\|");
  const rows = reportRows(report, { ...options, pendingLogging: options.pendingLogging ?? true }).map(cells);
  const head = columns(report.subject);
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n") + "\n";
}

const DROP = new Set(["spectra", "ttfbSpectra"]);

function snake(key: string): string {
  return key.replace(/P999/g, "P99_9").replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function toJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!DROP.has(k)) out[snake(k)] = toJson(v);
    return out;
  }
  if (typeof value === "number" && !Number.isInteger(value)) return Math.round(value * 1000) / 1000;
  return value;
}

/** The report as a JSON-ready object (spectra left out; each target carries `"result": "PASS"|"FAIL"`). */
export function overheadJson(report: OverheadReport): Record<string, unknown> {
  const json = toJson(report) as Record<string, unknown>;
  json.azmw_bench_overhead = 1;
  json.targets = report.targets.map((t) => ({ ...(toJson(t) as object), result: verdict(t) }));
  return json;
}

/** The report as one self-contained HTML page. */
export function overheadHtml(report: OverheadReport): string {
  const sections: HtmlSection[] = [
    {
      title: "Figures",
      rows: [columns(report.subject), ...reportRows(report).map(cells)],
      note: summaryLine(report),
    },
  ];
  const charts: string[] = [];
  const pair = (title: string, s: { direct: ChartSeries["points"]; gateway: ChartSeries["points"] }) =>
    charts.push(
      spectrumChart(title, [{ name: "direct", points: s.direct }, {
        name: `through ${report.subject}`,
        points: s.gateway,
      }]),
    );
  const { latency, throughput, stream } = report.lanes;
  if (latency) pair("Latency by percentile, concurrency 1", latency.spectra);
  for (const p of throughput?.points ?? []) {
    pair(`Latency by percentile, concurrency ${p.concurrency}${p.stream ? ", streaming" : ""}`, p.spectra);
  }
  if (stream) pair(`Time to first byte, ${stream.chunks}-chunk streams`, stream.ttfbSpectra);
  if (charts.length > 0) sections.push({ title: "Latency distribution", rows: [], charts });
  return htmlPage(
    "azmw overhead benchmark",
    `${machineLine(report.machine)} · ${otherLoadLine(report)}`,
    sections,
  );
}

/**
 * The overhead report rendered: text for the terminal, a Markdown table for BENCHMARKS.md, JSON for
 * machines (snake_case keys, durations in µs, RSS in bytes) and one HTML page with the spectra plotted.
 */
import { htmlPage, type HtmlSection } from "../html.ts";
import { type ChartSeries, spectrumChart } from "../svg.ts";
import { machineLine } from "./machine.ts";
import { verdict } from "./targets.ts";
import type { OverheadReport } from "./runner.ts";
import { cells, columns, reportRows, type RowOptions, TARGET_COLUMNS, targetRows } from "./table.ts";

/** `Targets (against a bare relay, same run): N of M PASS`. */
export function summaryLine(report: OverheadReport): string {
  const pass = report.targets.filter((t) => t.pass).length;
  return `Targets (against a bare relay, same run): ${pass} of ${report.targets.length} PASS`;
}

/** The relay's lanes as a report of their own (for the reference table), or undefined. */
export function relayReport(report: OverheadReport): OverheadReport | undefined {
  if (!report.relay) return undefined;
  const { relay: _, ...rest } = report;
  return { ...rest, subject: "bare relay", gatewayConfig: "none", lanes: report.relay, targets: [] };
}

function aligned(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  const line = (r: string[]) =>
    r.map((c, i) => c + " ".repeat(widths[i]! - [...c].length)).join("  ").trimEnd();
  return [line(rows[0]!), line(widths.map((w) => "-".repeat(w))), ...rows.slice(1).map(line)];
}

/** How busy the machine was with other work while the lanes ran. */
export function otherLoadLine(report: OverheadReport): string {
  return report.otherCpuPct === null
    ? "Other load on the machine: unknown (no /proc)"
    : `Other load on the machine while lanes ran: ${report.otherCpuPct.toFixed(1)}% of its CPU time`;
}

/** The report as aligned text columns plus the target verdicts. */
export function overheadText(report: OverheadReport): string {
  const relay = relayReport(report);
  const out = [
    `azmw bench --overhead (${report.plan.quick ? "quick" : "full"} run, ${report.plan.rounds} rounds, ` +
    `${report.durationS} s; ${report.subject} config: ${report.gatewayConfig})`,
    machineLine(report.machine),
    otherLoadLine(report),
    "",
    ...aligned([columns(report.subject), ...reportRows(report).map(cells)]),
    ...(relay ? ["", ...aligned([columns(relay.subject), ...reportRows(relay).map(cells)])] : []),
    ...(report.targets.length > 0 ? ["", ...aligned([[...TARGET_COLUMNS], ...targetRows(report)])] : []),
    "",
    summaryLine(report),
  ];
  return out.join("\n") + "\n";
}

/**
 * The report as a Markdown table: with the request-log rows when `loggingOff` is given, else with a
 * pending row for them unless `pendingLogging` is false.
 */
export function overheadMarkdown(report: OverheadReport, options: RowOptions = {}): string {
  const rows = reportRows(report, { ...options, pendingLogging: options.pendingLogging ?? true }).map(cells);
  return markdownTable(columns(report.subject), rows);
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

/** The targets as a Markdown table. */
export function targetsMarkdown(report: OverheadReport): string {
  return markdownTable([...TARGET_COLUMNS], targetRows(report));
}

function markdownTable(head: string[], rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, "\\|");
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n") + "\n";
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
  const relay = relayReport(report);
  const sections: HtmlSection[] = [
    {
      title: "Targets",
      rows: [[...TARGET_COLUMNS], ...targetRows(report)],
      note: summaryLine(report),
    },
    { title: "Figures", rows: [columns(report.subject), ...reportRows(report).map(cells)] },
    ...(relay
      ? [{ title: "Bare relay", rows: [columns(relay.subject), ...reportRows(relay).map(cells)] }]
      : []),
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

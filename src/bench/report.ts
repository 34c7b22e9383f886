/**
 * Reports of a load run (`azmw bench --url …`): text for people, JSON for machines, one HTML page.
 */
import { VERSION } from "../version.ts";
import { ms, percentilesLine, round, rps, summaryJson } from "./format.ts";
import type { LatencySummary } from "./histogram.ts";
import { htmlPage } from "./html.ts";
import { errorStatuses, type LoadRecorder, type LoadResult } from "./recorder.ts";
import { type ChartSeries, spectrumChart } from "./svg.ts";

/** What was run, for the report header. */
export interface LoadRunInfo {
  url: string;
  dialect: string;
  stream: boolean;
  concurrency: number;
  requests?: number;
  durationMs?: number;
  warmup: number;
}

/** The load report as text. */
export function loadReportText(info: LoadRunInfo, r: LoadResult): string {
  const plan = info.requests !== undefined ? `${info.requests} requests` : `${info.durationMs! / 1000} s`;
  const lines = [
    `azmw bench: POST ${info.url}`,
    `  dialect ${info.dialect}${info.stream ? ", streaming" : ""}; ${info.concurrency} workers, ${plan}` +
    `, warm-up ${info.warmup}`,
    "",
    `Requests     ${r.completed} in ${(r.elapsedMs / 1000).toFixed(2)} s: ${r.ok} ok, ${r.errors} errors`,
    `Throughput   ${rps(r.throughputRps)}`,
    `Latency      ${percentilesLine(r.latency)}`,
    `TTFB         ${percentilesLine(r.ttfb)}`,
  ];
  if (r.chunks > 0) {
    const per = r.ok > 0 ? (r.chunks / r.ok).toFixed(1) : "0";
    lines.push(`Headers      ${percentilesLine(r.headers)}`);
    lines.push(`Chunk gap    ${percentilesLine(r.chunkGap)}`);
    lines.push(`Chunks       ${r.chunks} (${per} per response)`);
  }
  if (r.overhead.count > 0) lines.push(`Overhead     ${percentilesLine(r.overhead)}  (x-azmw-overhead-ms)`);
  const errors = errorStatuses(r.statuses);
  if (errors.length > 0) {
    lines.push("", "Errors by status:");
    for (const [status, n] of errors) lines.push(`  ${status.padEnd(8)} ${n}`);
  }
  return lines.join("\n") + "\n";
}

/** The load report as a JSON-ready object (durations in µs). */
export function loadReportJson(info: LoadRunInfo, r: LoadResult): Record<string, unknown> {
  return {
    azmw_bench: 1,
    version: VERSION,
    target: { url: info.url, dialect: info.dialect, stream: info.stream },
    concurrency: info.concurrency,
    ...(info.requests !== undefined && { requests: info.requests }),
    ...(info.durationMs !== undefined && { duration_ms: info.durationMs }),
    warmup: info.warmup,
    elapsed_ms: r.elapsedMs,
    completed: r.completed,
    ok: r.ok,
    errors: r.errors,
    statuses: r.statuses,
    errors_by_status: Object.fromEntries(errorStatuses(r.statuses)),
    throughput_rps: round(r.throughputRps, 1),
    latency_us: summaryJson(r.latency),
    ttfb_us: summaryJson(r.ttfb),
    headers_us: summaryJson(r.headers),
    chunk_gap_us: summaryJson(r.chunkGap),
    chunks: r.chunks,
    stalls: r.stalls,
    overhead_us: summaryJson(r.overhead),
  };
}

function summaryRow(name: string, s: LatencySummary): string[] {
  if (s.count === 0) return [name, "–", "–", "–", "–", "–", "0"];
  return [name, ms(s.p50Us), ms(s.p90Us), ms(s.p99Us), ms(s.p999Us), ms(s.maxUs), String(s.count)];
}

/** The load report as one self-contained HTML page with the latency distribution plotted. */
export function loadReportHtml(info: LoadRunInfo, rec: LoadRecorder): string {
  const r = rec.result();
  const series: ChartSeries[] = [{ name: "latency", points: rec.latency.spectrum() }];
  if (r.ttfb.count > 0 && r.chunks > 0) {
    series.push({ name: "time to first byte", points: rec.ttfb.spectrum() });
  }
  const rows = [
    ["", "p50", "p90", "p99", "p99.9", "max", "n"],
    summaryRow("Latency", r.latency),
    summaryRow("TTFB", r.ttfb),
  ];
  if (r.chunks > 0) rows.push(summaryRow("Headers", r.headers), summaryRow("Chunk gap", r.chunkGap));
  if (r.overhead.count > 0) rows.push(summaryRow("x-azmw-overhead-ms", r.overhead));
  const counts = [
    ["Figure", "Value"],
    ["Requests", String(r.completed)],
    ["OK", String(r.ok)],
    ["Errors", String(r.errors)],
    ["Throughput", rps(r.throughputRps)],
    ["Elapsed", `${(r.elapsedMs / 1000).toFixed(2)} s`],
    ...errorStatuses(r.statuses).map(([k, v]) => [`Status ${k}`, String(v)]),
  ];
  const plan = info.requests !== undefined ? `${info.requests} requests` : `${info.durationMs! / 1000} s`;
  const meta = `POST ${info.url} · ${info.dialect}${info.stream ? ", streaming" : ""} · ` +
    `${info.concurrency} workers · ${plan} · ${new Date().toISOString()}`;
  return htmlPage("azmw bench", meta, [
    { title: "Summary", rows: counts },
    { title: "Latency", rows, charts: [spectrumChart("Latency by percentile", series)] },
  ]);
}

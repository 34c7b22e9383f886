/**
 * The overhead report as table rows — the lanes (lane, measure, direct, through the subject, added or
 * kept) and the targets (gateway, relay, compared value, target, result) — shared by the text, Markdown
 * and HTML renderings so all three show the same figures.
 */
import { mib, ms, rps, signedMs } from "../format.ts";
import type { LatencySummary } from "../histogram.ts";
import type { OverheadReport } from "./runner.ts";
import type { SubjectCost } from "./sides.ts";
import { limitText, type TargetCheck, verdict } from "./targets.ts";

/** One row of the report table. */
export interface Row {
  lane: string;
  measure: string;
  direct: string;
  gateway: string;
  delta: string;
}

/** Column titles, in order; `subject` names what stands between client and mock (default "gateway"). */
export function columns(subject = "gateway"): string[] {
  return ["Lane", "Measure", "Direct", `Through ${subject}`, "Added / kept"];
}

/** Row cells in column order. */
export function cells(r: Row): string[] {
  return [r.lane, r.measure, r.direct, r.gateway, r.delta];
}

const dash = "–";

function pair(a: number, b: number): string {
  return `${ms(a)} / ${ms(b)}`;
}

function pct(s: LatencySummary, key: "p50Us" | "p99Us" | "p999Us"): string {
  return s.count === 0 ? dash : ms(s[key]);
}

/** Options of `reportRows`. */
export interface RowOptions {
  /** Adds the placeholder row for the logging comparison when `loggingOff` is not given. */
  pendingLogging?: boolean;
  /** The same lanes with the request log on metadata only (`logs.bodies: false`), for the logging rows. */
  loggingOff?: OverheadReport;
}

/** Builds the rows, with the request-log comparison when `loggingOff` is given. */
export function reportRows(report: OverheadReport, options: RowOptions = {}): Row[] {
  const rows: Row[] = [];
  const { latency, throughput, frontier, stream, soak, memory } = report.lanes;
  if (latency) {
    const d = latency.direct.latency, g = latency.gateway.latency;
    const lane = "Latency, c=1";
    rows.push({
      lane,
      measure: "p50",
      direct: pct(d, "p50Us"),
      gateway: pct(g, "p50Us"),
      delta: signedMs(latency.addedP50Ms),
    });
    rows.push({
      lane,
      measure: "p99",
      direct: pct(d, "p99Us"),
      gateway: pct(g, "p99Us"),
      delta: signedMs(latency.addedP99Ms),
    });
    rows.push({
      lane,
      measure: "p99.9",
      direct: pct(d, "p999Us"),
      gateway: pct(g, "p999Us"),
      delta: signedMs(latency.addedP999Ms),
    });
    const o = latency.gateway.overhead;
    if (o.count > 0) {
      rows.push({
        lane,
        measure: "x-azmw-overhead-ms p50 / p99",
        direct: dash,
        gateway: pair(o.p50Us, o.p99Us),
        delta: dash,
      });
    }
  }
  if (latency?.cost) rows.push(costRow("Latency, c=1", latency.cost));
  for (const p of throughput?.points ?? []) {
    const lane = `Throughput, c=${p.concurrency}${p.stream ? ", streaming" : ""}`;
    rows.push({
      lane,
      measure: "requests/s",
      direct: rps(p.direct.throughputRps),
      gateway: rps(p.gateway.throughputRps),
      delta: `${p.keptPct.toFixed(1)}% kept`,
    });
    rows.push({
      lane,
      measure: "latency p50 / p99",
      direct: pair(p.direct.latency.p50Us, p.direct.latency.p99Us),
      gateway: pair(p.gateway.latency.p50Us, p.gateway.latency.p99Us),
      delta: `${signedMs(p.addedP50Ms)} / ${signedMs(p.addedP99Ms)}`,
    });
    if (p.cost) rows.push(costRow(lane, p.cost));
  }
  for (const f of frontier?.frontier ?? []) {
    const top = frontier!.steps.at(-1);
    rows.push({
      lane: "Frontier (open loop)",
      measure: `highest rate with added p99 < ${f.limitMs} ms`,
      direct: dash,
      gateway: f.rps === null ? `below ${frontier!.steps[0]?.targetRps ?? 0} req/s` : rps(f.rps),
      delta: top ? `ladder to ${top.targetRps} req/s` : dash,
    });
  }
  if (stream) {
    const lane = `Stream, ${stream.chunks} × ${stream.chunkDelayMs} ms, ≈${stream.concurrency} open`;
    const d = stream.direct, g = stream.gateway;
    rows.push({
      lane,
      measure: "headers p50 / p99",
      direct: pair(d.headers.p50Us, d.headers.p99Us),
      gateway: pair(g.headers.p50Us, g.headers.p99Us),
      delta: `${signedMs(stream.addedHeadersP50Ms)} / ${
        signedMs((g.headers.p99Us - d.headers.p99Us) / 1000)
      }`,
    });
    rows.push({
      lane,
      measure: "first chunk (TTFB) p50 / p99",
      direct: pair(d.ttfb.p50Us, d.ttfb.p99Us),
      gateway: pair(g.ttfb.p50Us, g.ttfb.p99Us),
      delta: `${signedMs(stream.addedTtfbP50Ms)} / ${signedMs(stream.addedTtfbP99Ms)}`,
    });
    rows.push({
      lane,
      measure: "chunk gap p50 / p99",
      direct: pair(d.chunkGap.p50Us, d.chunkGap.p99Us),
      gateway: pair(g.chunkGap.p50Us, g.chunkGap.p99Us),
      delta: `${signedMs(stream.addedGapP50Ms)} / ${signedMs(stream.addedGapP99Ms)}`,
    });
    rows.push({
      lane,
      measure: `stalls (gap > ${stream.stallThresholdMs} ms)`,
      direct: `${stream.stalls.direct} of ${d.chunks}`,
      gateway: `${stream.stalls.gateway} of ${g.chunks}`,
      delta: dash,
    });
  }
  if (soak) {
    const r = (b: number | null) => b === null ? "n/a" : mib(b);
    rows.push({
      lane: `Soak, ${soak.requests} requests, c=${soak.concurrency}`,
      measure: "RSS before / peak / after",
      direct: dash,
      gateway: `${r(soak.rssBefore)} / ${r(soak.rssPeak)} / ${r(soak.rssAfter)}`,
      delta: soak.growthPer100k === null
        ? dash
        : `${soak.growthPer100k >= 0 ? "+" : ""}${mib(soak.growthPer100k)} per 100k`,
    });
  }
  if (memory) {
    const r = (b: number | null) => b === null ? "n/a" : mib(b);
    rows.push({
      lane: `Memory, ${memory.streams} open streams`,
      measure: "RSS idle / open / after",
      direct: dash,
      gateway: `${r(memory.rssIdle)} / ${r(memory.rssOpen)} / ${r(memory.rssAfter)}`,
      delta: `${memory.opened} open together`,
    });
  }
  if (options.loggingOff) {
    rows.push(...loggingRows(report, options.loggingOff));
  } else if (options.pendingLogging) {
    rows.push({
      lane: "Logging on vs off",
      measure: "PENDING: lands with the request log",
      direct: dash,
      gateway: dash,
      delta: dash,
    });
  }
  return rows;
}

function costRow(lane: string, cost: SubjectCost): Row {
  return {
    lane,
    measure: "CPU per request (all threads) / peak RSS",
    direct: dash,
    gateway: `${cost.cpuUsPerRequest === null ? "n/a" : `${cost.cpuUsPerRequest.toFixed(0)} µs`} / ${
      cost.rssPeak === null ? "n/a" : mib(cost.rssPeak)
    }`,
    delta: dash,
  };
}

/** Sealed request bodies (this report) against metadata-only logging (`off`), where both ran the lanes. */
function loggingRows(on: OverheadReport, off: OverheadReport): Row[] {
  const rows: Row[] = [];
  const a = on.lanes.latency, b = off.lanes.latency;
  if (a && b) {
    rows.push({
      lane: "Request log, c=1",
      measure: "added p50: sealed bodies / metadata only",
      direct: dash,
      gateway: `${signedMs(a.addedP50Ms)} / ${signedMs(b.addedP50Ms)}`,
      delta: `bodies ${signedMs(a.addedP50Ms - b.addedP50Ms)}`,
    });
  }
  const find = (r: OverheadReport) =>
    r.lanes.throughput?.points.find((p) => p.concurrency === 50 && !p.stream);
  const x = find(on), y = find(off);
  if (x && y) {
    rows.push({
      lane: "Request log, c=50",
      measure: "kept: sealed bodies / metadata only",
      direct: dash,
      gateway: `${x.keptPct.toFixed(1)}% / ${y.keptPct.toFixed(1)}%`,
      delta: `bodies ${(x.keptPct - y.keptPct).toFixed(1)} points`,
    });
  }
  return rows;
}

/** Column titles of the targets table. */
export const TARGET_COLUMNS: readonly string[] = [
  "Target",
  "Gateway",
  "Bare relay",
  "Compared",
  "Limit",
  "Result",
];

function figure(t: TargetCheck, value: number | null): string {
  if (value === null) return dash;
  if (t.figureUnit === "% of direct") return `${value.toFixed(1)}% of direct`;
  if (t.figureUnit === "µs") return `${value.toFixed(0)} µs`;
  if (t.figureUnit === "ms") return signedMs(value);
  return `${value.toFixed(1)} MiB`;
}

function compared(t: TargetCheck): string {
  if (t.measured === null) return dash;
  if (t.unit === "×") return `${t.measured.toFixed(2)}×`;
  if (t.kind === "difference") return signedMs(t.measured);
  return `${t.measured.toFixed(1)} ${t.unit}`;
}

/** The targets table's rows (cells in `TARGET_COLUMNS` order). */
export function targetRows(report: OverheadReport): string[][] {
  return report.targets.map((t) => [
    t.target,
    figure(t, t.gateway),
    t.kind === "absolute" ? dash : figure(t, t.relay),
    compared(t),
    limitText(t),
    verdict(t) + (t.note ? ` (${t.note})` : ""),
  ]);
}

/**
 * The overhead report as table rows (lane, measure, direct, gateway, added or kept, target, result),
 * shared by the text, Markdown and HTML renderings so all three show the same figures.
 */
import { mib, ms, rps, signedMs } from "../format.ts";
import type { LatencySummary } from "../histogram.ts";
import type { OverheadReport } from "./runner.ts";
import { type TargetCheck, verdict } from "./targets.ts";

/** One row of the report table. */
export interface Row {
  lane: string;
  measure: string;
  direct: string;
  gateway: string;
  delta: string;
  target: string;
  result: string;
}

/** Column titles, in order; `subject` names what stands between client and mock (default "gateway"). */
export function columns(subject = "gateway"): string[] {
  return ["Lane", "Measure", "Direct", `Through ${subject}`, "Added / kept", "Target", "Result"];
}

/** Row cells in column order. */
export function cells(r: Row): string[] {
  return [r.lane, r.measure, r.direct, r.gateway, r.delta, r.target, r.result];
}

const dash = "–";

function limitText(t: TargetCheck): string {
  const op = t.comparison === "<=" ? "≤" : t.comparison === ">=" ? "≥" : "<";
  return `${op} ${t.limit}${t.unit === "%" ? "%" : ` ${t.unit}`}`;
}

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
  const t = new Map(report.targets.map((c) => [c.id, c]));
  const target = (id: string): Pick<Row, "target" | "result"> => {
    const c = t.get(id);
    return c
      ? { target: limitText(c), result: verdict(c) + (c.note ? ` (${c.note})` : "") }
      : { target: dash, result: dash };
  };
  const none = { target: dash, result: dash };
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
      ...target("latency_p50"),
    });
    rows.push({
      lane,
      measure: "p99",
      direct: pct(d, "p99Us"),
      gateway: pct(g, "p99Us"),
      delta: signedMs(latency.addedP99Ms),
      ...target("latency_p99"),
    });
    rows.push({
      lane,
      measure: "p99.9",
      direct: pct(d, "p999Us"),
      gateway: pct(g, "p999Us"),
      delta: signedMs(latency.addedP999Ms),
      ...none,
    });
    const o = latency.gateway.overhead;
    if (o.count > 0) {
      rows.push({
        lane,
        measure: "x-azmw-overhead-ms p50 / p99",
        direct: dash,
        gateway: pair(o.p50Us, o.p99Us),
        delta: dash,
        ...none,
      });
    }
  }
  for (const p of throughput?.points ?? []) {
    const lane = `Throughput, c=${p.concurrency}${p.stream ? ", streaming" : ""}`;
    const id = p.concurrency === 50 && !p.stream ? "throughput_c50" : "";
    rows.push({
      lane,
      measure: "requests/s",
      direct: rps(p.direct.throughputRps),
      gateway: rps(p.gateway.throughputRps),
      delta: `${p.keptPct.toFixed(1)}% kept`,
      ...target(id),
    });
    rows.push({
      lane,
      measure: "latency p50 / p99",
      direct: pair(p.direct.latency.p50Us, p.direct.latency.p99Us),
      gateway: pair(p.gateway.latency.p50Us, p.gateway.latency.p99Us),
      delta: `${signedMs(p.addedP50Ms)} / ${signedMs(p.addedP99Ms)}`,
      ...none,
    });
  }
  for (const f of frontier?.frontier ?? []) {
    const top = frontier!.steps.at(-1);
    rows.push({
      lane: "Frontier (open loop)",
      measure: `highest rate with added p99 < ${f.limitMs} ms`,
      direct: dash,
      gateway: f.rps === null ? `below ${frontier!.steps[0]?.targetRps ?? 0} req/s` : rps(f.rps),
      delta: top ? `ladder to ${top.targetRps} req/s` : dash,
      ...none,
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
      ...none,
    });
    rows.push({
      lane,
      measure: "first chunk (TTFB) p50 / p99",
      direct: pair(d.ttfb.p50Us, d.ttfb.p99Us),
      gateway: pair(g.ttfb.p50Us, g.ttfb.p99Us),
      delta: `${signedMs(stream.addedTtfbP50Ms)} / ${signedMs(stream.addedTtfbP99Ms)}`,
      ...target("stream_ttfb"),
    });
    rows.push({
      lane,
      measure: "chunk gap p50 / p99",
      direct: pair(d.chunkGap.p50Us, d.chunkGap.p99Us),
      gateway: pair(g.chunkGap.p50Us, g.chunkGap.p99Us),
      delta: `${signedMs(stream.addedGapP50Ms)} / ${signedMs(stream.addedGapP99Ms)}`,
      ...target("stream_chunk"),
    });
    rows.push({
      lane,
      measure: `stalls (gap > ${stream.stallThresholdMs} ms)`,
      direct: `${stream.stalls.direct} of ${d.chunks}`,
      gateway: `${stream.stalls.gateway} of ${g.chunks}`,
      delta: dash,
      ...none,
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
      ...none,
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
      ...target("memory_streams"),
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
      ...none,
    });
  }
  return rows;
}

/** Sealed request bodies (this report) against metadata-only logging (`off`), where both ran the lanes. */
function loggingRows(on: OverheadReport, off: OverheadReport): Row[] {
  const rows: Row[] = [];
  const none = { direct: dash, target: dash, result: dash };
  const a = on.lanes.latency, b = off.lanes.latency;
  if (a && b) {
    rows.push({
      lane: "Request log, c=1",
      measure: "added p50: sealed bodies / metadata only",
      gateway: `${signedMs(a.addedP50Ms)} / ${signedMs(b.addedP50Ms)}`,
      delta: `bodies ${signedMs(a.addedP50Ms - b.addedP50Ms)}`,
      ...none,
    });
  }
  const find = (r: OverheadReport) =>
    r.lanes.throughput?.points.find((p) => p.concurrency === 50 && !p.stream);
  const x = find(on), y = find(off);
  if (x && y) {
    rows.push({
      lane: "Request log, c=50",
      measure: "kept: sealed bodies / metadata only",
      gateway: `${x.keptPct.toFixed(1)}% / ${y.keptPct.toFixed(1)}%`,
      delta: `bodies ${(x.keptPct - y.keptPct).toFixed(1)} points`,
      ...none,
    });
  }
  return rows;
}

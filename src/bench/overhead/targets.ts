/**
 * The targets of `azmw bench --overhead` — the full pipeline with sealed bodies measured against a bare
 * `Deno.serve` + `fetch` relay in the same run — and PASS/FAIL against a run's figures. This table is the
 * one place they are stated; README and BENCHMARKS.md quote it.
 */
import type { LatencyLane } from "./lanes/latency.ts";
import type { MemoryLane } from "./lanes/memory.ts";
import type { StreamLane } from "./lanes/stream.ts";
import type { ThroughputLane } from "./lanes/throughput.ts";

/** The figures targets are checked against (lanes that did not run are absent). */
export interface TargetInputs {
  latency?: LatencyLane;
  throughput?: ThroughputLane;
  stream?: StreamLane;
  memory?: MemoryLane;
}

/**
 * How a target compares: `ratio` is gateway ÷ relay, `difference` gateway − relay (both from the same
 * run), `absolute` the gateway's own figure.
 */
export type TargetKind = "ratio" | "difference" | "absolute";

/** One target as the project states it. */
export interface TargetSpec {
  id: string;
  /** The target in words. */
  target: string;
  kind: TargetKind;
  comparison: "<=" | ">=";
  limit: number;
  /** Unit of the compared value (`×` for ratios). */
  unit: "×" | "ms" | "MiB";
  /** Unit of each side's own figure. */
  figureUnit: "% of direct" | "µs" | "ms" | "MiB";
  /** The lane that measures it. */
  lane: keyof TargetInputs;
}

/** The targets, in report order. */
export const OVERHEAD_TARGETS: readonly TargetSpec[] = [
  {
    id: "throughput_c50",
    target: "Throughput at c=50 (share of direct kept), ÷ relay",
    kind: "ratio",
    comparison: ">=",
    limit: 0.8,
    unit: "×",
    figureUnit: "% of direct",
    lane: "throughput",
  },
  {
    id: "cpu_c1",
    target: "CPU per request at c=1 (process, all threads), ÷ relay",
    kind: "ratio",
    comparison: "<=",
    limit: 1.5,
    unit: "×",
    figureUnit: "µs",
    lane: "latency",
  },
  {
    id: "cpu_c50",
    target: "CPU per request at c=50 (process, all threads), ÷ relay",
    kind: "ratio",
    comparison: "<=",
    limit: 1.5,
    unit: "×",
    figureUnit: "µs",
    lane: "throughput",
  },
  {
    id: "latency_p50",
    target: "c=1 added p50, minus the relay's",
    kind: "difference",
    comparison: "<=",
    limit: 0.1,
    unit: "ms",
    figureUnit: "ms",
    lane: "latency",
  },
  {
    id: "latency_p99",
    target: "c=1 added p99, minus the relay's",
    kind: "difference",
    comparison: "<=",
    limit: 0.5,
    unit: "ms",
    figureUnit: "ms",
    lane: "latency",
  },
  {
    id: "stream_ttfb",
    target: "Streaming: added first chunk (p50), minus the relay's",
    kind: "difference",
    comparison: "<=",
    limit: 0.2,
    unit: "ms",
    figureUnit: "ms",
    lane: "stream",
  },
  {
    id: "stream_chunk",
    target: "Streaming: added chunk gap (p50), minus the relay's",
    kind: "difference",
    comparison: "<=",
    limit: 0.1,
    unit: "ms",
    figureUnit: "ms",
    lane: "stream",
  },
  {
    id: "rss_load",
    target: "Peak RSS under load (c=50), ÷ relay",
    kind: "ratio",
    comparison: "<=",
    limit: 1.3,
    unit: "×",
    figureUnit: "MiB",
    lane: "throughput",
  },
  {
    id: "memory_streams",
    target: "RSS with 1,000 open streams",
    kind: "absolute",
    comparison: "<=",
    limit: 180,
    unit: "MiB",
    figureUnit: "MiB",
    lane: "memory",
  },
  {
    id: "rss_idle",
    target: "Idle RSS",
    kind: "absolute",
    comparison: "<=",
    limit: 80,
    unit: "MiB",
    figureUnit: "MiB",
    lane: "memory",
  },
];

/** One target and how the run did against it. */
export interface TargetCheck extends TargetSpec {
  /** The gateway's own figure (`figureUnit`), null when not measured. */
  gateway: number | null;
  /** The relay's figure in the same run (null for absolute targets or when not measured). */
  relay: number | null;
  /** The compared value (`unit`): ratio, difference or the gateway's figure. */
  measured: number | null;
  pass: boolean;
  note?: string;
}

const MIB = 1048576;

function c50(lanes: TargetInputs) {
  return lanes.throughput?.points.find((p) => p.concurrency === 50 && !p.stream);
}

/** One side's figure for a target (pure); null when its lane did not measure it. */
export function figureOf(id: string, lanes: TargetInputs): number | null {
  const mib = (b: number | null | undefined) => b === null || b === undefined ? null : b / MIB;
  switch (id) {
    case "throughput_c50":
      return c50(lanes)?.keptPct ?? null;
    case "cpu_c1":
      return lanes.latency?.cost?.cpuUsPerRequest ?? null;
    case "cpu_c50":
      return c50(lanes)?.cost?.cpuUsPerRequest ?? null;
    case "latency_p50":
      return lanes.latency?.addedP50Ms ?? null;
    case "latency_p99":
      return lanes.latency?.addedP99Ms ?? null;
    case "stream_ttfb":
      return lanes.stream?.addedTtfbP50Ms ?? null;
    case "stream_chunk":
      return lanes.stream?.addedGapP50Ms ?? null;
    case "rss_load":
      return mib(c50(lanes)?.cost?.rssPeak);
    case "memory_streams":
      return mib(lanes.memory?.rssOpen);
    case "rss_idle":
      return mib(lanes.memory?.rssIdle);
  }
  throw new RangeError(`Unknown overhead target "${id}"`);
}

/** The compared value of a target from both sides' figures (pure). */
export function compare(kind: TargetKind, gateway: number | null, relay: number | null): number | null {
  if (gateway === null) return null;
  if (kind === "absolute") return gateway;
  if (relay === null) return null;
  if (kind === "difference") return gateway - relay;
  return relay > 0 ? gateway / relay : null;
}

/** Whether `measured` meets the limit (null never does). */
export function meets(spec: Pick<TargetSpec, "comparison" | "limit">, measured: number | null): boolean {
  if (measured === null) return false;
  return spec.comparison === "<=" ? measured <= spec.limit : measured >= spec.limit;
}

/** Checks every target whose lane ran through the gateway, against the relay's lanes of the same run. */
export function checkTargets(gateway: TargetInputs, relay: TargetInputs = {}): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const spec of OVERHEAD_TARGETS) {
    if (gateway[spec.lane] === undefined) continue;
    const g = figureOf(spec.id, gateway);
    const r = spec.kind === "absolute" ? null : figureOf(spec.id, relay);
    const measured = compare(spec.kind, g, r);
    let note: string | undefined;
    const m = gateway.memory;
    if (spec.id === "memory_streams" && m && m.opened < m.streams) {
      note = `only ${m.opened} of ${m.streams} streams were open together`;
    } else if (g === null) note = "not measured (no /proc?)";
    else if (measured === null) note = "the relay's figure is missing";
    out.push({
      ...spec,
      gateway: g,
      relay: r,
      measured,
      pass: meets(spec, measured) && note === undefined,
      ...(note !== undefined && { note }),
    });
  }
  return out;
}

/** `PASS` or `FAIL`. */
export function verdict(c: TargetCheck): "PASS" | "FAIL" {
  return c.pass ? "PASS" : "FAIL";
}

/** The exit code of `--overhead`: 1 when a target failed (0 with `noFail`). */
export function overheadExitCode(targets: readonly TargetCheck[], noFail = false): number {
  return !noFail && targets.some((t) => !t.pass) ? 1 : 0;
}

/** The target in one phrase, e.g. `≤ 1.5×` or `≤ relay + 0.1 ms` (for README, reports). */
export function limitText(spec: Pick<TargetSpec, "kind" | "comparison" | "limit" | "unit">): string {
  const op = spec.comparison === "<=" ? "≤" : "≥";
  if (spec.kind === "ratio") return `${op} ${spec.limit}× relay`;
  if (spec.kind === "difference") return `${op} relay + ${spec.limit} ${spec.unit}`;
  return `${op} ${spec.limit} ${spec.unit}`;
}

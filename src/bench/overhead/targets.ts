/**
 * The DESIGN.md §5 targets the overhead benchmark can measure, and PASS/FAIL against a run's figures.
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

/** One target and how the run did against it. */
export interface TargetCheck {
  id: string;
  /** The target in words, as DESIGN.md §5 states it. */
  target: string;
  comparison: "<=" | "<" | ">=";
  limit: number;
  unit: "ms" | "%" | "MiB";
  /** The measured figure (null when it could not be measured). */
  measured: number | null;
  pass: boolean;
  note?: string;
}

function check(
  id: string,
  target: string,
  measured: number | null,
  limit: { comparison: TargetCheck["comparison"]; value: number; unit: TargetCheck["unit"] },
  note?: string,
): TargetCheck {
  const ok = measured !== null &&
    (limit.comparison === "<="
      ? measured <= limit.value
      : limit.comparison === "<"
      ? measured < limit.value
      : measured >= limit.value);
  return {
    id,
    target,
    comparison: limit.comparison,
    limit: limit.value,
    unit: limit.unit,
    measured,
    pass: ok && note === undefined,
    ...(note !== undefined && { note }),
  };
}

/** Checks every target whose lane ran. */
export function checkTargets(lanes: TargetInputs): TargetCheck[] {
  const out: TargetCheck[] = [];
  if (lanes.latency) {
    const l = lanes.latency;
    out.push(
      check("latency_p50", "Added p50 at concurrency 1", l.addedP50Ms, {
        comparison: "<=",
        value: 0.3,
        unit: "ms",
      }),
    );
    out.push(
      check("latency_p99", "Added p99 at concurrency 1", l.addedP99Ms, {
        comparison: "<=",
        value: 1.5,
        unit: "ms",
      }),
    );
  }
  const c50 = lanes.throughput?.points.find((p) => p.concurrency === 50 && !p.stream);
  if (c50) {
    out.push(check("throughput_c50", "Throughput kept at concurrency 50", c50.keptPct, {
      comparison: ">=",
      value: 50,
      unit: "%",
    }));
  }
  if (lanes.stream) {
    const s = lanes.stream;
    out.push(check("stream_ttfb", "Streaming: added time to the first chunk (p50)", s.addedTtfbP50Ms, {
      comparison: "<",
      value: 0.5,
      unit: "ms",
    }));
    out.push(check("stream_chunk", "Streaming: added delay per chunk (p50 gap)", s.addedGapP50Ms, {
      comparison: "<",
      value: 0.5,
      unit: "ms",
    }));
  }
  if (lanes.memory) {
    const m = lanes.memory;
    const note = m.opened < m.streams
      ? `only ${m.opened} of ${m.streams} streams were open together`
      : undefined;
    out.push(check(
      "memory_streams",
      `RSS with ${m.streams} open streams`,
      m.rssOpen === null ? null : m.rssOpen / 1048576,
      { comparison: "<", value: 150, unit: "MiB" },
      note,
    ));
  }
  return out;
}

/** `PASS` or `FAIL`. */
export function verdict(c: TargetCheck): "PASS" | "FAIL" {
  return c.pass ? "PASS" : "FAIL";
}

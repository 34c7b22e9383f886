/**
 * `azmw bench --overhead`: starts the mock and a gateway in front of it as separate processes, runs the
 * selected lanes (direct vs through the gateway), then the same lanes through a bare relay in front of a
 * fresh mock, and checks the targets of `targets.ts` (gateway against relay, same run).
 */
import { VERSION } from "../../version.ts";
import type { OverheadLane } from "../args.ts";
import { createBenchClient, measureOnce } from "../measure.ts";
import { loadHistograms } from "../histogram.ts";
import { LoadRecorder } from "../recorder.ts";
import { type BenchDialect, buildRequest, defaultBody } from "../request.ts";
import { type FrontierLane, frontierLane } from "./lanes/frontier.ts";
import { type LatencyLane, latencyLane } from "./lanes/latency.ts";
import { type MemoryLane, memoryLane } from "./lanes/memory.ts";
import { type SoakLane, soakLane } from "./lanes/soak.ts";
import { type StreamLane, streamLane } from "./lanes/stream.ts";
import { type ThroughputLane, throughputLane } from "./lanes/throughput.ts";
import { cpuSample, type MachineInfo, machineInfo, otherCpuPercent } from "./machine.ts";
import { type OverheadPlan, overheadPlan } from "./plan.ts";
import { relayArgv } from "./relay_argv.ts";
import { currentSelf, type SelfInfo } from "./self_argv.ts";
import type { LaneContext } from "./sides.ts";
import { type BenchStack, type StackOptions, startStack } from "./stack.ts";
import { checkTargets, type TargetCheck } from "./targets.ts";

/** What every request of the run looks like. */
export interface RequestShape {
  dialect: BenchDialect;
  model: string;
  deployment?: string;
  apiVersion?: string;
  /** JSON body text sent instead of the default. */
  body?: string;
  headers: Record<string, string>;
}

/** Options of `runOverhead`. */
export interface OverheadOptions {
  lanes: OverheadLane[];
  quick: boolean;
  rounds?: number;
  /** Gateway config template text (default: one mock upstream). */
  configTemplate?: string;
  /** Where the template came from, for the report ("default" or a path). */
  configSource?: string;
  /** Starts something else in place of the gateway (e.g. a bare relay for reference); see `StackOptions`. */
  gatewayArgv?: StackOptions["gatewayArgv"];
  /** What to call it in progress lines (default "gateway"). */
  gatewayLabel?: string;
  /** Also run the reference lanes through the bare relay (default true; only with the default subject). */
  relay?: boolean;
  shape: RequestShape;
  /** Progress lines for people. */
  log: (line: string) => void;
  signal?: AbortSignal;
  self?: SelfInfo;
}

/** Results of the lanes that ran. */
export interface OverheadLanes {
  latency?: LatencyLane;
  throughput?: ThroughputLane;
  frontier?: FrontierLane;
  stream?: StreamLane;
  soak?: SoakLane;
  memory?: MemoryLane;
}

/** Everything an overhead run found. */
export interface OverheadReport {
  version: string;
  startedAt: string;
  durationS: number;
  machine: MachineInfo;
  plan: OverheadPlan;
  dialect: BenchDialect;
  /** What stood between client and mock: "gateway", or a reference such as "bare relay". */
  subject: string;
  gatewayConfig: string;
  lanes: OverheadLanes;
  /** The same lanes through the bare relay (latency, throughput, stream, memory), when it ran. */
  relay?: OverheadLanes;
  targets: TargetCheck[];
  /**
   * Share of the machine's CPU time used by processes other than the benchmark, the mock and the
   * gateway while lanes ran (null without /proc): other load skews every figure.
   */
  otherCpuPct: number | null;
}

/**
 * The body for a side: the given one, or the default; default streams ask for usage
 * (`stream_options.include_usage`) so the mock sends the same events on both sides.
 */
export function bodyFor(shape: RequestShape, stream: boolean): string | undefined {
  if (shape.body !== undefined || !stream || shape.dialect === "anthropic") return shape.body;
  return JSON.stringify({
    ...defaultBody(shape.dialect, shape.model, true),
    stream_options: { include_usage: true },
  });
}

/** Lanes the bare relay runs for the targets. */
export const RELAY_LANES: readonly OverheadLane[] = ["latency", "throughput", "stream", "memory"];

/** Runs the selected lanes (gateway, then the relay) and returns the report. */
export async function runOverhead(options: OverheadOptions): Promise<OverheadReport> {
  await loadHistograms();
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const plan = overheadPlan(options.quick, options.rounds);
  const machine = await machineInfo();
  const label = options.gatewayLabel ?? "gateway";
  const gateway = await runSubject(options, plan, options.lanes, {
    label,
    ...(options.gatewayArgv && { argv: options.gatewayArgv }),
  });
  let relay: SubjectRun | undefined;
  const relayLanes = options.lanes.filter((lane) => RELAY_LANES.includes(lane));
  if (options.relay !== false && options.gatewayArgv === undefined && relayLanes.length > 0) {
    const self = options.self ?? currentSelf();
    relay = await runSubject(options, plan, relayLanes, {
      label: "bare relay",
      argv: (mockUrl) => relayArgv(self, mockUrl),
    });
  }
  const other = [gateway.other, relay?.other ?? { ticks: 0, total: 0 }];
  const total = other.reduce((n, o) => n + (o?.total ?? 0), 0);
  const ticks = other.reduce((n, o) => n + (o?.ticks ?? 0), 0);
  return {
    version: VERSION,
    startedAt,
    durationS: Math.round((performance.now() - started) / 1000),
    machine,
    plan,
    dialect: options.shape.dialect,
    subject: label,
    gatewayConfig: options.configSource ?? "default",
    lanes: gateway.lanes,
    ...(relay && { relay: relay.lanes }),
    targets: checkTargets(gateway.lanes, relay?.lanes),
    otherCpuPct: other.includes(null) || total <= 0 ? null : (100 * ticks) / total,
  };
}

interface SubjectRun {
  lanes: OverheadLanes;
  other: { ticks: number; total: number } | null;
}

async function runSubject(
  options: OverheadOptions,
  plan: OverheadPlan,
  wanted: readonly OverheadLane[],
  subject: { label: string; argv?: StackOptions["gatewayArgv"] },
): Promise<SubjectRun> {
  const { shape, log, signal } = options;
  const lanes: OverheadLanes = {};
  const want = new Set(wanted);
  let other: { ticks: number; total: number } | null = { ticks: 0, total: 0 };
  // Soak and memory each get a fresh gateway, so their RSS figures do not depend on earlier lanes.
  for (const group of LANE_GROUPS) {
    const selected = group.filter((lane) => want.has(lane));
    if (selected.length === 0 || signal?.aborted) continue;
    log(`Starting the mock upstream and the ${subject.label} (separate processes)…`);
    const stack = await startStack({
      ...(options.self && { self: options.self }),
      ...(options.configTemplate !== undefined && { configTemplate: options.configTemplate }),
      ...(subject.argv && { gatewayArgv: subject.argv }),
    });
    try {
      log(
        `  mock ${stack.mock.url} (pid ${stack.mock.pid}), ${subject.label} ${stack.gateway.url} ` +
          `(pid ${stack.gateway.pid})`,
      );
      const request = requestBuilder(shape, stack);
      await preflight(request, subject.label);
      const ctx: LaneContext = {
        request,
        gatewayPid: stack.gateway.pid,
        rounds: plan.rounds,
        log,
        ...(signal && { signal }),
      };
      const pids = [Deno.pid, stack.mock.pid, stack.gateway.pid];
      const before = await cpuSample(pids);
      for (const lane of selected) {
        if (signal?.aborted) break;
        await runLane(lane, ctx, plan, lanes);
      }
      const after = await cpuSample(pids);
      if (before && after && other) {
        const total = after.total - before.total;
        other = {
          ticks: other.ticks + (otherCpuPercent(before, after) * total) / 100,
          total: other.total + total,
        };
      } else other = null;
    } finally {
      await stack.stop();
    }
  }
  return { lanes, other };
}

/** Lanes that share one mock + gateway pair, in order. */
const LANE_GROUPS: OverheadLane[][] = [["latency", "throughput", "frontier", "stream"], ["soak"], ["memory"]];

async function runLane(
  lane: OverheadLane,
  ctx: LaneContext,
  plan: OverheadPlan,
  out: OverheadLanes,
): Promise<void> {
  switch (lane) {
    case "latency":
      out.latency = await latencyLane(ctx, plan.latency);
      return;
    case "throughput":
      out.throughput = await throughputLane(ctx, plan.throughput);
      return;
    case "frontier":
      out.frontier = await frontierLane(ctx, plan.frontier);
      return;
    case "stream":
      out.stream = await streamLane(ctx, plan.stream);
      return;
    case "soak":
      out.soak = await soakLane(ctx, plan.soak);
      return;
    case "memory":
      out.memory = await memoryLane(ctx, plan.memory);
      return;
  }
}

function requestBuilder(shape: RequestShape, stack: BenchStack): LaneContext["request"] {
  return (side, o) => {
    const body = bodyFor(shape, o.stream);
    return buildRequest({
      dialect: shape.dialect,
      baseUrl: side === "direct" ? stack.mock.url : stack.gateway.url,
      key: side === "direct" ? stack.upstreamKey : stack.callerKey,
      model: shape.model,
      stream: o.stream,
      headers: { ...shape.headers, ...o.headers },
      ...(shape.deployment !== undefined && { deployment: shape.deployment }),
      ...(shape.apiVersion !== undefined && { apiVersion: shape.apiVersion }),
      ...(body !== undefined && { body }),
    });
  };
}

/** One request per side and mode must succeed before measuring anything. */
async function preflight(request: LaneContext["request"], label: string): Promise<void> {
  const client = createBenchClient();
  try {
    for (const stream of [false, true]) {
      for (const side of ["direct", "gateway"] as const) {
        const rec = new LoadRecorder();
        const req = request(side, { stream });
        await measureOnce(client.fetch, req, rec);
        if (rec.ok !== 1) {
          const status = Object.keys(rec.result().statuses).join(", ");
          throw new Error(
            `A ${stream ? "streamed " : ""}request ${
              side === "direct" ? "to the mock" : `through the ${label}`
            } failed (status ${status}): POST ${req.url}`,
          );
        }
      }
    }
  } finally {
    client.close();
  }
}

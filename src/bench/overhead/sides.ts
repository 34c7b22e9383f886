/**
 * The two sides every lane compares — straight to the mock ("direct") and through the gateway — and the
 * alternating rounds that let both see the same machine conditions.
 */
import type { SpectrumPoint } from "../histogram.ts";
import { type BenchClient, createBenchClient } from "../measure.ts";
import { LoadRecorder, type LoadResult } from "../recorder.ts";
import type { BenchRequest } from "../request.ts";
import { pidTicks } from "./machine.ts";
import { sampleRss } from "./rss.ts";

/** Which side a measurement belongs to. */
export type Side = "direct" | "gateway";

/** A value per side. */
export interface PerSide<T> {
  direct: T;
  gateway: T;
}

/** Request headers a lane adds (e.g. `x-mock-chunks`). */
export type ExtraHeaders = Record<string, string>;

/** What a lane needs: requests for both sides, a log, a stop signal. */
export interface LaneContext {
  /** Builds the request of a side, with extra headers and streaming on or off. */
  request(side: Side, options: { stream: boolean; headers?: ExtraHeaders }): BenchRequest;
  /** PID of the gateway process (for RSS). */
  gatewayPid: number;
  /** Alternating rounds per measurement. */
  rounds: number;
  /** `/proc` clock ticks per second (`getconf CLK_TCK`; 100 on Linux). */
  ticksPerSecond?: number;
  /** Progress lines for people (stderr). */
  log(line: string): void;
  signal?: AbortSignal;
}

/** Both sides' results of one measurement, with the latency spectra for plots. */
export interface Compared {
  direct: LoadResult;
  gateway: LoadResult;
  spectra: PerSide<SpectrumPoint[]>;
  /** The gateway process's own cost while its side ran (absent when not sampled). */
  cost?: SubjectCost;
}

/** What the process between client and mock spent while its side ran (from `/proc`). */
export interface SubjectCost {
  /** CPU time of the process, all threads, per request (warm-up included), in µs; null without `/proc`. */
  cpuUsPerRequest: number | null;
  /** Peak resident memory while its side ran, in bytes; null without `/proc`. */
  rssPeak: number | null;
}

/** CPU µs per request from clock ticks (pure); null when nothing was counted. */
export function cpuPerRequest(ticks: number | null, requests: number, ticksPerSecond = 100): number | null {
  if (ticks === null || requests <= 0) return null;
  return (ticks * 1e6) / ticksPerSecond / requests;
}

/**
 * Runs `rounds` rounds of `run` on both sides, ABBA order (direct first in even rounds, gateway first
 * in odd ones) so slow drift of the machine does not favour one side; each side keeps one recorder and
 * one keep-alive client across rounds.
 */
export async function alternate(
  rounds: number,
  run: (side: Side, rec: LoadRecorder, client: BenchClient) => Promise<unknown>,
  options: {
    stallMs?: number;
    signal?: AbortSignal;
    /** Sample CPU and RSS of this process (the gateway) while the gateway side runs. */
    pid?: number;
    /** Requests each gateway-side run sends before it records (counted for CPU per request). */
    warmup?: number;
    ticksPerSecond?: number;
  } = {},
): Promise<Compared & { recorders: PerSide<LoadRecorder> }> {
  const opts = options.stallMs === undefined ? {} : { stallMs: options.stallMs };
  const recorders: PerSide<LoadRecorder> = {
    direct: new LoadRecorder(opts),
    gateway: new LoadRecorder(opts),
  };
  const clients: PerSide<BenchClient> = { direct: createBenchClient(), gateway: createBenchClient() };
  const pid = options.pid;
  let ticks: number | null = pid === undefined ? null : 0;
  let requests = 0;
  let rssPeak: number | null = null;
  try {
    for (let i = 0; i < rounds && !options.signal?.aborted; i++) {
      const order: Side[] = i % 2 === 0 ? ["direct", "gateway"] : ["gateway", "direct"];
      for (const side of order) {
        if (side === "direct" || pid === undefined) {
          await run(side, recorders[side], clients[side]);
          continue;
        }
        const before = await pidTicks(pid);
        const done = recorders.gateway.completed;
        const rss = sampleRss(pid, 100);
        await run(side, recorders[side], clients[side]);
        const after = await pidTicks(pid);
        const peak = await rss.stop();
        if (peak !== null && (rssPeak === null || peak > rssPeak)) rssPeak = peak;
        ticks = before === null || after === null || ticks === null ? null : ticks + after - before;
        requests += recorders.gateway.completed - done + (options.warmup ?? 0);
      }
    }
  } finally {
    clients.direct.close();
    clients.gateway.close();
  }
  return {
    direct: recorders.direct.result(),
    gateway: recorders.gateway.result(),
    spectra: { direct: recorders.direct.latency.spectrum(5), gateway: recorders.gateway.latency.spectrum(5) },
    recorders,
    ...(pid !== undefined && {
      cost: { cpuUsPerRequest: cpuPerRequest(ticks, requests, options.ticksPerSecond), rssPeak },
    }),
  };
}

/** Gateway minus direct, in milliseconds, of a summary field given in microseconds. */
export function added(c: PerSide<LoadResult>, pick: (r: LoadResult) => number): number {
  return (pick(c.gateway) - pick(c.direct)) / 1000;
}

/** Gateway throughput as a percentage of direct throughput. */
export function keptPercent(c: PerSide<LoadResult>): number {
  return c.direct.throughputRps > 0 ? (100 * c.gateway.throughputRps) / c.direct.throughputRps : 0;
}

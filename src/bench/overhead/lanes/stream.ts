/**
 * Lane "stream": paced streams (64 chunks 20 ms apart by default). Added time to first byte, added gap
 * between chunks, and stalls: gaps more than `stallMs` longer than the pacing.
 *
 * Streams arrive open-loop at `concurrency / stream duration` per second, so about `concurrency` are
 * open at any time and they do not start in synchronised waves (a closed loop of equal-length streams
 * would start them all at once and measure the queueing of each wave instead of the relay).
 */
import type { SpectrumPoint } from "../../histogram.ts";
import { runLoad } from "../../load.ts";
import { runOpenLoop } from "../../open_loop.ts";
import type { OverheadPlan } from "../plan.ts";
import { added, alternate, type Compared, type LaneContext, type PerSide } from "../sides.ts";

/** Result of the stream lane (added figures in milliseconds). */
export interface StreamLane extends Compared {
  concurrency: number;
  streamsPerSide: number;
  chunks: number;
  chunkDelayMs: number;
  /** A gap longer than this (pacing + stall margin) is a stall. */
  stallThresholdMs: number;
  /** Added time to the first body chunk (the first event a client can use). */
  addedTtfbP50Ms: number;
  addedTtfbP99Ms: number;
  /** Added time to the response headers. */
  addedHeadersP50Ms: number;
  addedGapP50Ms: number;
  addedGapP99Ms: number;
  /** Mean added gap (mean gateway gap − mean direct gap). */
  addedGapMeanMs: number;
  stalls: PerSide<number>;
  ttfbSpectra: PerSide<SpectrumPoint[]>;
}

/** Streams per second that keep about `concurrency` streams open. */
export function streamRate(plan: OverheadPlan["stream"]): number {
  return (plan.concurrency * 1000) / Math.max(1, plan.chunks * plan.chunkDelayMs);
}

/** Runs the stream lane. */
export async function streamLane(ctx: LaneContext, plan: OverheadPlan["stream"]): Promise<StreamLane> {
  const headers = {
    "x-mock-chunks": String(plan.chunks),
    "x-mock-chunk-delay-ms": String(plan.chunkDelayMs),
  };
  const stallThresholdMs = plan.chunkDelayMs + plan.stallMs;
  ctx.log(
    `stream: ${plan.chunks} chunks ${plan.chunkDelayMs} ms apart, about ${plan.concurrency} open at a time, ` +
      `${ctx.rounds} × ${plan.streams} streams per side`,
  );
  const ratePerSec = streamRate(plan);
  const c = await alternate(ctx.rounds, async (side, recorder, client) => {
    const req = ctx.request(side, { stream: true, headers });
    await runLoad(req, { concurrency: plan.concurrency, requests: plan.concurrency, fetch: client.fetch });
    await runOpenLoop(req, {
      ratePerSec,
      durationMs: (plan.streams * 1000) / ratePerSec,
      recorder,
      fetch: client.fetch,
      ...(ctx.signal && { signal: ctx.signal }),
    });
  }, { stallMs: stallThresholdMs, ...(ctx.signal && { signal: ctx.signal }) });
  return {
    concurrency: plan.concurrency,
    streamsPerSide: c.direct.completed,
    chunks: plan.chunks,
    chunkDelayMs: plan.chunkDelayMs,
    stallThresholdMs,
    direct: c.direct,
    gateway: c.gateway,
    spectra: c.spectra,
    ttfbSpectra: {
      direct: c.recorders.direct.ttfb.spectrum(5),
      gateway: c.recorders.gateway.ttfb.spectrum(5),
    },
    addedTtfbP50Ms: added(c, (r) => r.ttfb.p50Us),
    addedTtfbP99Ms: added(c, (r) => r.ttfb.p99Us),
    addedHeadersP50Ms: added(c, (r) => r.headers.p50Us),
    addedGapP50Ms: added(c, (r) => r.chunkGap.p50Us),
    addedGapP99Ms: added(c, (r) => r.chunkGap.p99Us),
    addedGapMeanMs: added(c, (r) => r.chunkGap.meanUs),
    stalls: { direct: c.direct.stalls, gateway: c.gateway.stalls },
  };
}

/**
 * Lane "soak": many requests through the gateway only, watching its resident memory (VmRSS) before,
 * at the peak and after, and the growth extrapolated to 100,000 requests.
 */
import { runLoad } from "../../load.ts";
import type { LoadResult } from "../../recorder.ts";
import type { OverheadPlan } from "../plan.ts";
import { readRss, sampleRss } from "../rss.ts";
import type { LaneContext } from "../sides.ts";

/** Result of the soak lane (bytes; null where /proc is unavailable). */
export interface SoakLane {
  requests: number;
  concurrency: number;
  load: LoadResult;
  rssBefore: number | null;
  rssPeak: number | null;
  rssAfter: number | null;
  /** (after − before) scaled to 100,000 requests. */
  growthPer100k: number | null;
}

/** Growth of `after − before` over `requests`, scaled to 100,000 requests (null if unknown). */
export function growthPer100k(before: number | null, after: number | null, requests: number): number | null {
  if (before === null || after === null || requests <= 0) return null;
  return Math.round(((after - before) * 100_000) / requests);
}

/** Runs the soak lane. */
export async function soakLane(ctx: LaneContext, plan: OverheadPlan["soak"]): Promise<SoakLane> {
  ctx.log(`soak: ${plan.requests} requests through the gateway at concurrency ${plan.concurrency}`);
  const req = ctx.request("gateway", { stream: false });
  await runLoad(req, { concurrency: plan.concurrency, requests: plan.warmup });
  await new Promise((r) => setTimeout(r, 500));
  const rssBefore = await readRss(ctx.gatewayPid);
  const sampler = sampleRss(ctx.gatewayPid, 100);
  const load = await runLoad(req, {
    concurrency: plan.concurrency,
    requests: plan.requests,
    ...(ctx.signal && { signal: ctx.signal }),
  });
  const rssPeak = await sampler.stop();
  // Give timers and finalizers of the last requests a moment, as an idle gateway would have.
  await new Promise((r) => setTimeout(r, 1000));
  const rssAfter = await readRss(ctx.gatewayPid);
  return {
    requests: load.completed,
    concurrency: plan.concurrency,
    load,
    rssBefore,
    rssPeak,
    rssAfter,
    growthPer100k: growthPer100k(rssBefore, rssAfter, load.completed),
  };
}

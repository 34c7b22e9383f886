/**
 * Lane "latency": added latency at concurrency 1, non-streaming, in alternating rounds.
 */
import { runLoad } from "../../load.ts";
import type { OverheadPlan } from "../plan.ts";
import { added, alternate, type Compared, type LaneContext } from "../sides.ts";

/** Result of the latency lane (added figures in milliseconds). */
export interface LatencyLane extends Compared {
  concurrency: 1;
  requestsPerSide: number;
  addedP50Ms: number;
  addedP90Ms: number;
  addedP99Ms: number;
  addedP999Ms: number;
}

/** Runs the latency lane. */
export async function latencyLane(ctx: LaneContext, plan: OverheadPlan["latency"]): Promise<LatencyLane> {
  ctx.log(`latency: concurrency 1, ${ctx.rounds} × ${plan.requests} requests per side`);
  const c = await alternate(
    ctx.rounds,
    (side, recorder, client) =>
      runLoad(ctx.request(side, { stream: false }), {
        concurrency: 1,
        requests: plan.requests,
        warmup: plan.warmup,
        recorder,
        fetch: client.fetch,
        ...(ctx.signal && { signal: ctx.signal }),
      }),
    {
      pid: ctx.gatewayPid,
      warmup: plan.warmup,
      ...(ctx.ticksPerSecond !== undefined && { ticksPerSecond: ctx.ticksPerSecond }),
      ...(ctx.signal && { signal: ctx.signal }),
    },
  );
  return {
    concurrency: 1,
    requestsPerSide: c.direct.completed,
    direct: c.direct,
    gateway: c.gateway,
    spectra: c.spectra,
    ...(c.cost && { cost: c.cost }),
    addedP50Ms: added(c, (r) => r.latency.p50Us),
    addedP90Ms: added(c, (r) => r.latency.p90Us),
    addedP99Ms: added(c, (r) => r.latency.p99Us),
    addedP999Ms: added(c, (r) => r.latency.p999Us),
  };
}

/**
 * Lane "throughput": closed-loop load at concurrency 10 and 50, streaming and not; the share of direct
 * throughput the gateway keeps, and the latency it adds under that load.
 */
import { runLoad } from "../../load.ts";
import type { OverheadPlan } from "../plan.ts";
import { added, alternate, type Compared, keptPercent, type LaneContext } from "../sides.ts";

/** One throughput measurement. */
export interface ThroughputPoint extends Compared {
  concurrency: number;
  stream: boolean;
  keptPct: number;
  addedP50Ms: number;
  addedP99Ms: number;
}

/** Result of the throughput lane. */
export interface ThroughputLane {
  durationMsPerRound: number;
  points: ThroughputPoint[];
}

/** Runs the throughput lane: each concurrency, non-streaming then streaming. */
export async function throughputLane(
  ctx: LaneContext,
  plan: OverheadPlan["throughput"],
): Promise<ThroughputLane> {
  const points: ThroughputPoint[] = [];
  for (const stream of [false, true]) {
    for (const concurrency of plan.concurrencies) {
      if (ctx.signal?.aborted) break;
      ctx.log(
        `throughput: concurrency ${concurrency}${stream ? ", streaming" : ""}, ` +
          `${ctx.rounds} × ${plan.durationMs / 1000} s per side`,
      );
      const c = await alternate(
        ctx.rounds,
        (side, recorder, client) =>
          runLoad(ctx.request(side, { stream }), {
            concurrency,
            durationMs: plan.durationMs,
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
      points.push({
        concurrency,
        stream,
        direct: c.direct,
        gateway: c.gateway,
        spectra: c.spectra,
        ...(c.cost && { cost: c.cost }),
        keptPct: keptPercent(c),
        addedP50Ms: added(c, (r) => r.latency.p50Us),
        addedP99Ms: added(c, (r) => r.latency.p99Us),
      });
    }
  }
  return { durationMsPerRound: plan.durationMs, points };
}

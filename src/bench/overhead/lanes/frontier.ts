/**
 * Lane "frontier": an open-loop rate ladder. At each offered rate both sides run for a fixed time; the
 * frontier for a limit L is the highest rate, climbing from the bottom, at which the gateway keeps up
 * and adds less than L to p99 latency.
 */
import { runLoad } from "../../load.ts";
import { runOpenLoop } from "../../open_loop.ts";
import type { LoadResult } from "../../recorder.ts";
import type { OverheadPlan } from "../plan.ts";
import type { LaneContext, PerSide, Side } from "../sides.ts";

/** One side at one rate. */
export interface FrontierSide {
  achievedRps: number;
  p50Us: number;
  p99Us: number;
  errors: number;
}

/** One rung of the ladder. */
export interface FrontierStep extends PerSide<FrontierSide> {
  targetRps: number;
  addedP99Ms: number;
  /** Both sides delivered ≥ 90% of the offered rate without errors above 1%. */
  keptUp: boolean;
}

/** Highest rate under one limit (null when even the lowest rung missed it). */
export interface FrontierPoint {
  limitMs: number;
  rps: number | null;
}

/** Result of the frontier lane. */
export interface FrontierLane {
  stepMs: number;
  steps: FrontierStep[];
  frontier: FrontierPoint[];
}

function sideOf(r: LoadResult): FrontierSide {
  return { achievedRps: r.throughputRps, p50Us: r.latency.p50Us, p99Us: r.latency.p99Us, errors: r.errors };
}

function keptUp(r: LoadResult, target: number): boolean {
  return r.throughputRps >= 0.9 * target && r.errors <= 0.01 * Math.max(1, r.completed);
}

/** The frontier for each limit from a ladder (pure). */
export function frontierOf(steps: FrontierStep[], limitsMs: number[]): FrontierPoint[] {
  return limitsMs.map((limitMs) => {
    let rps: number | null = null;
    for (const s of steps) {
      if (!s.keptUp || !(s.addedP99Ms < limitMs)) break;
      rps = s.targetRps;
    }
    return { limitMs, rps };
  });
}

/** The next rung: `rate × factor`, rounded to a multiple of 10. */
export function nextRate(rate: number, factor: number): number {
  return Math.max(rate + 10, Math.round((rate * factor) / 10) * 10);
}

/** Runs the frontier lane. */
export async function frontierLane(ctx: LaneContext, plan: OverheadPlan["frontier"]): Promise<FrontierLane> {
  const req = {
    direct: ctx.request("direct", { stream: false }),
    gateway: ctx.request("gateway", { stream: false }),
  };
  ctx.log(
    `frontier: open-loop ladder from ${plan.startRps} req/s, ${plan.stepMs / 1000} s per rung and side`,
  );
  for (const side of ["direct", "gateway"] as const) {
    await runLoad(req[side], { concurrency: 10, requests: 200 });
  }
  const steps: FrontierStep[] = [];
  const worst = Math.max(...plan.limitsMs);
  let rate = plan.startRps;
  for (let i = 0; i < plan.maxSteps && !ctx.signal?.aborted; i++) {
    const order: Side[] = i % 2 === 0 ? ["direct", "gateway"] : ["gateway", "direct"];
    const got: Partial<PerSide<LoadResult>> = {};
    for (const side of order) {
      got[side] = await runOpenLoop(req[side], {
        ratePerSec: rate,
        durationMs: plan.stepMs,
        ...(ctx.signal && { signal: ctx.signal }),
      });
    }
    const direct = got.direct!, gateway = got.gateway!;
    const step: FrontierStep = {
      targetRps: rate,
      direct: sideOf(direct),
      gateway: sideOf(gateway),
      addedP99Ms: (gateway.latency.p99Us - direct.latency.p99Us) / 1000,
      keptUp: keptUp(direct, rate) && keptUp(gateway, rate),
    };
    steps.push(step);
    ctx.log(
      `  ${rate} req/s: direct p99 ${(direct.latency.p99Us / 1000).toFixed(3)} ms, gateway p99 ` +
        `${(gateway.latency.p99Us / 1000).toFixed(3)} ms, added ${step.addedP99Ms.toFixed(3)} ms` +
        (step.keptUp ? "" : " (did not keep up)"),
    );
    if (!step.keptUp || step.addedP99Ms >= worst) break;
    rate = nextRate(rate, plan.factor);
  }
  return { stepMs: plan.stepMs, steps, frontier: frontierOf(steps, plan.limitsMs) };
}

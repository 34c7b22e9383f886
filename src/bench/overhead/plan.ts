/**
 * How big each lane of the overhead benchmark is: the full run for BENCHMARKS.md, or `--quick` for CI.
 */

/** Sizes of every lane. */
export interface OverheadPlan {
  quick: boolean;
  /** Alternating direct/gateway rounds per measurement. */
  rounds: number;
  latency: { requests: number; warmup: number };
  throughput: { durationMs: number; warmup: number; concurrencies: number[] };
  frontier: { stepMs: number; startRps: number; factor: number; maxSteps: number; limitsMs: number[] };
  stream: { streams: number; concurrency: number; chunks: number; chunkDelayMs: number; stallMs: number };
  soak: { requests: number; concurrency: number; warmup: number };
  memory: { streams: number; chunks: number; chunkDelayMs: number };
}

/** The plan for a full or quick run; `rounds` overrides the default (3 full, 2 quick). */
export function overheadPlan(quick: boolean, rounds?: number): OverheadPlan {
  const r = rounds ?? (quick ? 2 : 3);
  const limitsMs = [1, 5, 10];
  if (quick) {
    return {
      quick,
      rounds: r,
      latency: { requests: 300, warmup: 50 },
      throughput: { durationMs: 1000, warmup: 100, concurrencies: [10, 50] },
      frontier: { stepMs: 1000, startRps: 250, factor: 2, maxSteps: 5, limitsMs },
      stream: { streams: 10, concurrency: 10, chunks: 64, chunkDelayMs: 20, stallMs: 5 },
      soak: { requests: 5000, concurrency: 10, warmup: 200 },
      memory: { streams: 1000, chunks: 6, chunkDelayMs: 500 },
    };
  }
  return {
    quick,
    rounds: r,
    latency: { requests: 3000, warmup: 300 },
    throughput: { durationMs: 5000, warmup: 500, concurrencies: [10, 50] },
    frontier: { stepMs: 3000, startRps: 250, factor: 1.4, maxSteps: 14, limitsMs },
    stream: { streams: 50, concurrency: 10, chunks: 64, chunkDelayMs: 20, stallMs: 5 },
    soak: { requests: 100_000, concurrency: 10, warmup: 1000 },
    memory: { streams: 1000, chunks: 20, chunkDelayMs: 500 },
  };
}

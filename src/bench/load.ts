/**
 * The closed-loop load generator: N workers on keep-alive connections, each sending the next request as
 * soon as its previous one ends, for a number of requests or a duration, after an optional warm-up.
 */
import { type BenchFetch, createBenchClient, measureOnce } from "./measure.ts";
import { loadHistograms } from "./histogram.ts";
import { LoadRecorder, type LoadResult } from "./recorder.ts";
import type { BenchRequest } from "./request.ts";

/** Progress of a running load, reported a few times a second. */
export interface LoadProgress {
  completed: number;
  ok: number;
  elapsedMs: number;
  /** 0–1: share of requests done, or of the duration elapsed. */
  fraction: number;
}

/** How much load to generate. */
export interface LoadOptions {
  /** Concurrent workers (connections). */
  concurrency: number;
  /** Total requests to send; exactly one of `requests` or `durationMs`. */
  requests?: number;
  /** How long to keep sending, in milliseconds. */
  durationMs?: number;
  /** Requests sent first and not recorded (default 0). */
  warmup?: number;
  /** Recorder to add to (rounds share one); a fresh one by default. */
  recorder?: LoadRecorder;
  /** HTTP function; by default a dedicated keep-alive client, closed at the end. */
  fetch?: BenchFetch;
  /** Stops issuing new requests; those in flight still finish. */
  signal?: AbortSignal;
  /** Called every `progressIntervalMs` (default 200) while running. */
  onProgress?: (progress: LoadProgress) => void;
  progressIntervalMs?: number;
}

async function workers(
  concurrency: number,
  next: () => boolean,
  one: () => Promise<void>,
): Promise<void> {
  const worker = async () => {
    while (next()) await one();
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Runs a closed-loop load against `req` and returns the summary (of the whole recorder). */
export async function runLoad(req: BenchRequest, options: LoadOptions): Promise<LoadResult> {
  const { concurrency, requests, durationMs, signal } = options;
  if ((requests === undefined) === (durationMs === undefined)) {
    throw new TypeError('Exactly one of "requests" or "durationMs" must be given');
  }
  await loadHistograms();
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`Concurrency must be a whole number of at least 1, got "${concurrency}"`);
  }
  const rec = options.recorder ?? new LoadRecorder();
  const own = options.fetch === undefined ? createBenchClient() : null;
  const send = options.fetch ?? own!.fetch;
  try {
    const warmup = options.warmup ?? 0;
    if (warmup > 0) {
      const scratch = new LoadRecorder();
      let sent = 0;
      await workers(
        Math.min(concurrency, warmup),
        () => !signal?.aborted && sent++ < warmup,
        () => measureOnce(send, req, scratch),
      );
    }
    const start = performance.now();
    const before = rec.completed;
    const deadline = durationMs === undefined ? Infinity : start + durationMs;
    let issued = 0;
    const next = () => {
      if (signal?.aborted) return false;
      if (requests !== undefined) return issued++ < requests;
      return performance.now() < deadline;
    };
    let timer: ReturnType<typeof setInterval> | undefined;
    if (options.onProgress) {
      const report = options.onProgress;
      timer = setInterval(() => {
        const elapsedMs = performance.now() - start;
        const done = rec.completed - before;
        const fraction = requests !== undefined ? done / requests : elapsedMs / (durationMs ?? 1);
        report({ completed: done, ok: rec.ok, elapsedMs, fraction: Math.min(1, fraction) });
      }, options.progressIntervalMs ?? 200);
    }
    try {
      const width = requests === undefined ? concurrency : Math.min(concurrency, requests);
      await workers(width, next, () => measureOnce(send, req, rec));
    } finally {
      if (timer !== undefined) clearInterval(timer);
    }
    rec.addElapsed(performance.now() - start);
    return rec.result();
  } finally {
    own?.close();
  }
}

/**
 * The open-loop, rate-limited generator: requests are due at a fixed rate whether or not earlier ones
 * have ended, and each latency is measured from the moment its request was due, so a server that falls
 * behind shows it in the percentiles (no coordinated omission).
 */
import { type BenchFetch, createBenchClient, measureOnce } from "./measure.ts";
import { loadHistograms } from "./histogram.ts";
import { LoadRecorder, type LoadResult } from "./recorder.ts";
import type { BenchRequest } from "./request.ts";

/** How much load to offer. */
export interface OpenLoopOptions {
  /** Requests per second offered. */
  ratePerSec: number;
  /** How long to offer them, in milliseconds. */
  durationMs: number;
  /** Requests in flight at most; further ones wait (and their wait counts as latency). Default 2000. */
  maxInFlight?: number;
  /** Recorder to add to; a fresh one by default. */
  recorder?: LoadRecorder;
  /** HTTP function; by default a dedicated keep-alive client, closed at the end. */
  fetch?: BenchFetch;
  /** Stops offering new requests. */
  signal?: AbortSignal;
}

/** An open-loop run: the load summary plus what was offered. */
export interface OpenLoopResult extends LoadResult {
  /** The offered rate. */
  targetRps: number;
  /** Requests actually sent. */
  sent: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Number of requests a run of `durationMs` at `ratePerSec` offers (at least 1). */
export function offeredRequests(ratePerSec: number, durationMs: number): number {
  return Math.max(1, Math.floor((ratePerSec * durationMs) / 1000));
}

/** Offers `ratePerSec` requests per second for `durationMs` and returns the summary. */
export async function runOpenLoop(req: BenchRequest, options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { ratePerSec, durationMs, signal } = options;
  if (!(ratePerSec > 0) || !(durationMs > 0)) {
    throw new RangeError(`Rate and duration must be positive, got "${ratePerSec}" and "${durationMs}"`);
  }
  await loadHistograms();
  const maxInFlight = options.maxInFlight ?? 2000;
  const rec = options.recorder ?? new LoadRecorder();
  const own = options.fetch === undefined ? createBenchClient() : null;
  const send = options.fetch ?? own!.fetch;
  const total = offeredRequests(ratePerSec, durationMs);
  const interval = 1000 / ratePerSec;
  const pending = new Set<Promise<void>>();
  let sent = 0;
  try {
    const start = performance.now();
    let sinceYield = 0;
    for (let i = 0; i < total && !signal?.aborted; i++) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait >= 1) {
        await sleep(Math.floor(wait));
        sinceYield = 0;
      } else if (++sinceYield >= 32) {
        // Behind schedule: still let answers be read now and then.
        await sleep(0);
        sinceYield = 0;
      }
      while (pending.size >= maxInFlight) await Promise.race(pending);
      // Sent early (timer granularity): measure from now; sent late: from when it was due.
      const p = measureOnce(send, req, rec, Math.min(due, performance.now()))
        .finally(() => pending.delete(p));
      pending.add(p);
      sent++;
    }
    await Promise.all(pending);
    rec.addElapsed(performance.now() - start);
    return { ...rec.result(), targetRps: ratePerSec, sent };
  } finally {
    own?.close();
  }
}

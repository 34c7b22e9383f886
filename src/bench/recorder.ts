/**
 * What a load run records: histograms of latency, time to first byte, gaps between body chunks and the
 * gateway's self-reported overhead, plus counts by status. One recorder may span several runs (rounds).
 */
import { LatencyHistogram, type LatencySummary } from "./histogram.ts";

/** Key under which requests that got no HTTP status (connection failures) are counted. */
export const NETWORK_ERROR = "network";

/** Key under which answers whose body failed mid-way are counted. */
export const BODY_ERROR = "body";

/** Summary of a load run (or of all rounds of one side). */
export interface LoadResult {
  /** Wall time spent generating load, in milliseconds. */
  elapsedMs: number;
  /** Requests that ended, successfully or not. */
  completed: number;
  /** Requests answered with 2xx and read to the end. */
  ok: number;
  /** `completed − ok`. */
  errors: number;
  /** Ended requests by status (`"200"`, `"401"`, `"network"`, `"body"`). */
  statuses: Record<string, number>;
  /** Successful requests per second. */
  throughputRps: number;
  /** Whole-response latency of successful requests. */
  latency: LatencySummary;
  /** Time to first byte: response headers, or the first body chunk of a stream. */
  ttfb: LatencySummary;
  /** Time to the response headers (the same as `ttfb` unless streamed). */
  headers: LatencySummary;
  /** Gaps between consecutive body chunks of streamed answers. */
  chunkGap: LatencySummary;
  /** Body chunks received in streamed answers. */
  chunks: number;
  /** Chunk gaps longer than the stall threshold. */
  stalls: number;
  /** The `x-azmw-overhead-ms` header of successful answers, when the server sends one. */
  overhead: LatencySummary;
}

/** Accumulates measurements; `result()` summarises them. */
export class LoadRecorder {
  /** Whole-response latency of successful requests. */
  readonly latency = new LatencyHistogram();
  /** Time to first byte of successful requests. */
  readonly ttfb = new LatencyHistogram();
  /** Time to response headers of successful requests. */
  readonly headers = new LatencyHistogram();
  /** Gaps between body chunks of streams. */
  readonly chunkGap = new LatencyHistogram();
  /** Self-reported gateway overhead. */
  readonly overhead = new LatencyHistogram();
  readonly #statuses = new Map<string, number>();
  #ok = 0;
  #completed = 0;
  #chunks = 0;
  #stalls = 0;
  #elapsedMs = 0;
  /** Gaps above this many milliseconds count as stalls. */
  readonly stallMs: number;

  /** Creates a recorder; `stallMs` defaults to infinity (no stalls counted). */
  constructor(options: { stallMs?: number } = {}) {
    this.stallMs = options.stallMs ?? Infinity;
  }

  /** Requests ended so far. */
  get completed(): number {
    return this.#completed;
  }

  /** Successful requests so far. */
  get ok(): number {
    return this.#ok;
  }

  /** Counts one ended request under `status`. */
  count(status: string | number, ok: boolean): void {
    const key = String(status);
    this.#statuses.set(key, (this.#statuses.get(key) ?? 0) + 1);
    this.#completed++;
    if (ok) this.#ok++;
  }

  /** Records one gap between body chunks. */
  gap(ms: number): void {
    this.#chunks++;
    this.chunkGap.recordMs(ms);
    if (ms > this.stallMs) this.#stalls++;
  }

  /** Counts the first body chunk of a stream (it has no gap before it). */
  firstChunk(): void {
    this.#chunks++;
  }

  /** Adds wall time of one run (rounds add up). */
  addElapsed(ms: number): void {
    this.#elapsedMs += ms;
  }

  /** Summarises everything recorded. */
  result(): LoadResult {
    const statuses: Record<string, number> = {};
    for (const [k, v] of [...this.#statuses].sort(([a], [b]) => a.localeCompare(b))) statuses[k] = v;
    const seconds = this.#elapsedMs / 1000;
    return {
      elapsedMs: Math.round(this.#elapsedMs),
      completed: this.#completed,
      ok: this.#ok,
      errors: this.#completed - this.#ok,
      statuses,
      throughputRps: seconds > 0 ? Math.round((this.#ok / seconds) * 10) / 10 : 0,
      latency: this.latency.summary(),
      ttfb: this.ttfb.summary(),
      headers: this.headers.summary(),
      chunkGap: this.chunkGap.summary(),
      chunks: this.#chunks,
      stalls: this.#stalls,
      overhead: this.overhead.summary(),
    };
  }
}

/** Statuses that are not 2xx, for "errors by status". */
export function errorStatuses(statuses: Record<string, number>): [string, number][] {
  return Object.entries(statuses).filter(([k]) => !/^2\d\d$/.test(k));
}

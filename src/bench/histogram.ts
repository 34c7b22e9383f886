/**
 * Latency histograms with microsecond resolution (HdrHistogram, pure-JS build, 3 significant digits):
 * recording, merging, the percentiles every report shows, and the percentile spectrum the HTML plots.
 *
 * The library is loaded by `loadHistograms()`, which every benchmark entry point awaits first: loaded at
 * start-up it would add 18 MiB to the RSS of every command, the gateway's included (measured: a bare
 * Deno process 35 MiB, with `hdr-histogram-js` imported 53 MiB).
 */
type Hdr = typeof import("hdr-histogram-js");
let hdr: Hdr | undefined;

/** Loads the histogram library once; `LatencyHistogram` can be built after it resolved. */
export async function loadHistograms(): Promise<void> {
  hdr ??= await import("hdr-histogram-js");
}

/** Percentiles and extremes of one histogram, in microseconds (all 0 when `count` is 0). */
export interface LatencySummary {
  count: number;
  minUs: number;
  meanUs: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
}

/** One point of a percentile spectrum: `percentile` in [0, 100], value in microseconds. */
export interface SpectrumPoint {
  percentile: number;
  us: number;
}

/** Largest value tracked without resizing: one hour in microseconds. */
const HIGHEST_US = 3_600_000_000;

/** Converts milliseconds to whole microseconds, at least 1 (HdrHistogram's lowest value). */
export function msToUs(ms: number): number {
  return Math.max(1, Math.round(ms * 1000));
}

/** A histogram of durations recorded in milliseconds and reported in microseconds. */
export class LatencyHistogram {
  #h: import("hdr-histogram-js").Histogram;

  /** Creates an empty histogram; `loadHistograms()` must have resolved. */
  constructor() {
    if (hdr === undefined) throw new Error("LatencyHistogram: await loadHistograms() first");
    this.#h = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: HIGHEST_US,
      numberOfSignificantValueDigits: 3,
      autoResize: true,
      useWebAssembly: false,
    });
  }

  /** Number of recorded values. */
  get count(): number {
    return this.#h.totalCount;
  }

  /** Records a duration given in milliseconds (negative values count as the smallest). */
  recordMs(ms: number): void {
    this.#h.recordValue(msToUs(ms));
  }

  /** Records a duration given in microseconds. */
  recordUs(us: number): void {
    this.#h.recordValue(Math.max(1, Math.round(us)));
  }

  /** Adds every value of `other` to this histogram. */
  add(other: LatencyHistogram): void {
    this.#h.add(other.#h);
  }

  /** The value at `percentile` (0–100) in microseconds; 0 when empty. */
  percentileUs(percentile: number): number {
    if (this.count === 0) return 0;
    return this.#h.getValueAtPercentile(percentile);
  }

  /** The usual percentiles, minimum, mean and maximum. */
  summary(): LatencySummary {
    const count = this.count;
    if (count === 0) return { count, minUs: 0, meanUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0 };
    return {
      count,
      minUs: this.#h.minNonZeroValue,
      meanUs: Math.round(this.#h.mean),
      p50Us: this.percentileUs(50),
      p90Us: this.percentileUs(90),
      p99Us: this.percentileUs(99),
      p999Us: this.percentileUs(99.9),
      maxUs: this.#h.maxValue,
    };
  }

  /** Values at percentiles spaced evenly on a "number of nines" axis, up to what the count supports. */
  spectrum(stepsPerNine = 10): SpectrumPoint[] {
    return spectrumPercentiles(this.count, stepsPerNine).map((percentile) => ({
      percentile,
      us: percentile >= 100 ? this.#h.maxValue : this.percentileUs(percentile),
    }));
  }
}

/**
 * Percentiles for a spectrum plot of `count` values: `100 × (1 − 10^−x)` for x = 0, 1/steps, 2/steps …
 * while at least one value lies beyond the percentile, then 100 (the maximum). Empty for no values.
 */
export function spectrumPercentiles(count: number, stepsPerNine = 10): number[] {
  if (count <= 0) return [];
  const out: number[] = [];
  const maxNines = Math.log10(count);
  for (let i = 0; i / stepsPerNine < maxNines; i++) {
    out.push(100 * (1 - 10 ** (-i / stepsPerNine)));
  }
  out.push(100);
  return out;
}

/** Signed difference `b − a` of two microsecond values, in milliseconds (for "added" figures). */
export function addedMs(aUs: number, bUs: number): number {
  return (bUs - aUs) / 1000;
}

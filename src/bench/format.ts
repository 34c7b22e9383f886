/**
 * Number formatting shared by the text, Markdown, JSON and HTML reports.
 */
import type { LatencySummary } from "./histogram.ts";

/** Microseconds as milliseconds with µs precision, e.g. `1.234 ms`. */
export function ms(us: number): string {
  return `${(us / 1000).toFixed(3)} ms`;
}

/** A signed millisecond difference, e.g. `+0.210 ms` or `-0.015 ms`. */
export function signedMs(value: number): string {
  return `${value >= 0 ? "+" : "-"}${Math.abs(value).toFixed(3)} ms`;
}

/** Bytes as MiB with one decimal, e.g. `61.3 MiB`. */
export function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** A rate, e.g. `2375.3 req/s`. */
export function rps(value: number): string {
  return `${value.toFixed(1)} req/s`;
}

/** One line of percentiles: `p50 1.000 ms  p90 …  p99 …  p99.9 …  max …`. */
export function percentilesLine(s: LatencySummary): string {
  if (s.count === 0) return "no samples";
  return `p50 ${ms(s.p50Us)}  p90 ${ms(s.p90Us)}  p99 ${ms(s.p99Us)}  p99.9 ${ms(s.p999Us)}  max ${
    ms(s.maxUs)
  }  (mean ${ms(s.meanUs)}, n=${s.count})`;
}

/** A summary as JSON with snake_case keys, values in microseconds. */
export function summaryJson(s: LatencySummary): Record<string, number> {
  return {
    count: s.count,
    min: s.minUs,
    mean: s.meanUs,
    p50: s.p50Us,
    p90: s.p90Us,
    p99: s.p99Us,
    p99_9: s.p999Us,
    max: s.maxUs,
  };
}

/** Rounds to `digits` decimals (for JSON figures). */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

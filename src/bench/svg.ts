/**
 * An inline SVG chart of latency percentile spectra (value against percentile on a "nines" axis: 90%,
 * 99%, 99.9% … evenly spaced; latency on a log scale, since tails run orders of magnitude above the
 * median), one line per series. No scripts, no external assets.
 */
import { escapeHtml } from "./format.ts";
import type { SpectrumPoint } from "./histogram.ts";

/** One line of the chart. */
export interface ChartSeries {
  name: string;
  points: SpectrumPoint[];
}

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"];

/** Position of a percentile on the nines axis: 0 → 0, 90 → 1, 99 → 2, 99.9 → 3 … */
export function ninesOf(percentile: number): number {
  if (percentile <= 0) return 0;
  return percentile >= 100 ? Infinity : -Math.log10(1 - percentile / 100);
}

/** The decades (powers of ten, in ms) a log axis needs to hold every value from `min` to `max`. */
export function decades(minMs: number, maxMs: number): { lo: number; hi: number } {
  const lo = Math.floor(Math.log10(minMs > 0 && Number.isFinite(minMs) ? minMs : 0.1));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(maxMs > 0 && Number.isFinite(maxMs) ? maxMs : 1)));
  return { lo, hi };
}

function msLabel(exp: number): string {
  return exp >= 0 ? String(10 ** exp) : (10 ** exp).toFixed(-exp);
}

function percentLabel(nines: number): string {
  if (nines === 0) return "0%";
  return `${(100 * (1 - 10 ** -nines)).toFixed(Math.max(0, nines - 2))}%`;
}

/** The chart as an `<svg>` element string; the maximum (100th percentile) is drawn just past the last point. */
export function spectrumChart(
  title: string,
  series: ChartSeries[],
  size = { width: 760, height: 360 },
): string {
  const { width, height } = size;
  const left = 64, right = 36, top = 36, bottom = 44;
  const finite = series.flatMap((s) => s.points.map((p) => ninesOf(p.percentile)).filter(Number.isFinite));
  const lastX = finite.length > 0 ? Math.max(...finite) : 1;
  const xMax = Math.max(1, Math.ceil(lastX + 0.15));
  const values = series.flatMap((s) => s.points.map((p) => p.us / 1000));
  const { lo, hi } = decades(Math.min(...values), Math.max(...values));
  const sx = (n: number) => left + ((Number.isFinite(n) ? n : lastX + 0.1) / xMax) * (width - left - right);
  const sy = (msValue: number) =>
    top + (1 - (Math.log10(Math.max(msValue, 10 ** lo)) - lo) / (hi - lo)) * (height - top - bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
    `role="img" aria-label="${escapeHtml(title)}" font-family="system-ui, sans-serif" font-size="12">`,
    `<text x="${left}" y="20" font-size="14" font-weight="600">${escapeHtml(title)}</text>`,
  ];
  for (let e = lo; e <= hi; e++) {
    const y = sy(10 ** e).toFixed(1);
    out.push(`<line x1="${left}" x2="${width - right}" y1="${y}" y2="${y}" stroke="#d1d5db"/>`);
    out.push(
      `<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${msLabel(e)}</text>`,
    );
    if (e === hi) break;
    for (const m of [2, 5]) {
      const ym = sy(m * 10 ** e).toFixed(1);
      out.push(`<line x1="${left}" x2="${width - right}" y1="${ym}" y2="${ym}" stroke="#f3f4f6"/>`);
    }
  }
  for (let n = 0; n <= xMax; n++) {
    const x = sx(n).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${height - bottom}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${x}" y="${height - bottom + 16}" text-anchor="middle">${percentLabel(n)}</text>`);
  }
  out.push(
    `<text x="${(left + width - right) / 2}" y="${height - 8}" text-anchor="middle">percentile</text>`,
    `<text transform="translate(14 ${
      (top + height - bottom) / 2
    }) rotate(-90)" text-anchor="middle">latency (ms, log scale)</text>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = s.points.map((p) => `${sx(ninesOf(p.percentile)).toFixed(1)},${sy(p.us / 1000).toFixed(1)}`);
    if (pts.length > 0) {
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(" ")}"/>`);
    }
    const ly = top + 8 + i * 16;
    out.push(
      `<rect x="${width - right - 180}" y="${ly - 5}" width="12" height="3" fill="${color}"/>`,
      `<text x="${width - right - 162}" y="${ly}" dominant-baseline="middle">${escapeHtml(s.name)}</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n");
}

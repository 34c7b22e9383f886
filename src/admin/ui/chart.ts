/** Column charts as inline SVG rendered on the server (no script, no style attribute: CSP-clean). */
import { esc } from "./html.ts";

/** One column: its label (shown under some columns) and value. */
export interface Column {
  label: string;
  value: number;
}

/** A column chart of `columns` (e.g. 30 days) with a title, an accessible name and a top value label. */
export function columnChart(
  title: string,
  columns: readonly Column[],
  options: { format?: (v: number) => string; alt?: boolean } = {},
): string {
  const format = options.format ?? ((v: number) => String(v));
  const width = 600;
  const height = 200;
  const left = 8;
  const top = 34;
  const bottom = 22;
  const plotH = height - top - bottom;
  const n = Math.max(1, columns.length);
  const slot = (width - left * 2) / n;
  const barW = Math.max(2, slot * 0.72);
  const max = Math.max(0, ...columns.map((c) => c.value));
  const every = Math.max(1, Math.ceil(n / 6));
  const bars = columns.map((c, i) => {
    const h = max > 0 ? (c.value / max) * plotH : 0;
    const x = left + i * slot + (slot - barW) / 2;
    const y = top + plotH - h;
    const label = i % every === 0 || i === n - 1
      ? `<text x="${(x + barW / 2).toFixed(1)}" y="${height - 6}" text-anchor="middle">${esc(c.label)}</text>`
      : "";
    return `<rect class="bar${options.alt ? " alt" : ""}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" ` +
      `width="${barW.toFixed(1)}" height="${Math.max(h, c.value > 0 ? 1 : 0).toFixed(1)}">` +
      `<title>${esc(`${c.label}: ${format(c.value)}`)}</title></rect>${label}`;
  }).join("");
  const total = columns.reduce((s, c) => s + c.value, 0);
  return `<svg class="chart" role="img" aria-label="${esc(`${title}: total ${format(total)}`)}" ` +
    `viewBox="0 0 ${width} ${height}" preserveAspectRatio="xMidYMid meet">` +
    `<text class="t" x="${left}" y="16">${esc(title)}</text>` +
    `<text x="${width - left}" y="16" text-anchor="end">max ${esc(format(max))}</text>` +
    `<line x1="${left}" x2="${width - left}" y1="${top + plotH + 0.5}" y2="${top + plotH + 0.5}"></line>` +
    `${bars}</svg>`;
}

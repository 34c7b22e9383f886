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
  const width = 480;
  const height = 180;
  const left = 8;
  const top = 34;
  const bottom = 22;
  const plotH = height - top - bottom;
  const n = Math.max(1, columns.length);
  const slot = (width - left * 2) / n;
  const barW = Math.max(2, slot * 0.72);
  const max = Math.max(0, ...columns.map((c) => c.value));
  const every = Math.max(1, Math.ceil(n / 5));
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

/** A horizontal bar per item (e.g. spend per model), labels on the left, values on the right. */
export function barList(
  title: string,
  items: readonly Column[],
  options: { format?: (v: number) => string } = {},
): string {
  const format = options.format ?? ((v: number) => String(v));
  const width = 480;
  const left = 150;
  const right = 70;
  const rowH = 22;
  const top = 28;
  const height = top + Math.max(1, items.length) * rowH + 4;
  const max = Math.max(0, ...items.map((i) => i.value));
  const scale = max > 0 ? (width - left - right) / max : 0;
  const rows = items.map((item, n) => {
    const y = top + n * rowH;
    const w = Math.max(item.value > 0 ? 1 : 0, item.value * scale);
    const label = item.label.length > 22 ? `${item.label.slice(0, 21)}…` : item.label;
    return `<text x="${left - 6}" y="${y + 14}" text-anchor="end">${esc(label)}</text>` +
      `<rect class="bar alt" x="${left}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 8}">` +
      `<title>${esc(`${item.label}: ${format(item.value)}`)}</title></rect>` +
      `<text class="v" x="${(left + w + 5).toFixed(1)}" y="${y + 14}">${esc(format(item.value))}</text>`;
  }).join("");
  return `<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height}">` +
    `<text class="t" x="0" y="16">${esc(title)}</text>${
      items.length === 0 ? `<text x="0" y="${top + 14}">No spend in this range</text>` : rows
    }</svg>`;
}

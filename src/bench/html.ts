/**
 * One self-contained HTML page (inline CSS and SVG, no external assets) for a benchmark report.
 */
import { VERSION } from "../version.ts";
import { escapeHtml } from "./format.ts";

/** A section of the page: a heading, a table of figures and optional SVG charts. */
export interface HtmlSection {
  title: string;
  /** Table rows; the first row is the header. */
  rows: string[][];
  /** Ready-made SVG strings (from `spectrumChart`). */
  charts?: string[];
  /** Optional note under the table. */
  note?: string;
}

const CSS = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:820px;color:#111827}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #d1d5db;padding:.25rem .6rem;text-align:right;font-variant-numeric:tabular-nums}
td:first-child,th:first-child{text-align:left}th{background:#f3f4f6}.pass{color:#15803d}.fail{color:#b91c1c}
p.meta,p.note{color:#4b5563;font-size:.9rem}svg{max-width:100%;height:auto;display:block;margin:.5rem 0}`;

function cell(text: string, tag: "td" | "th"): string {
  const cls = text === "PASS" ? ' class="pass"' : text === "FAIL" ? ' class="fail"' : "";
  return `<${tag}${cls}>${escapeHtml(text)}</${tag}>`;
}

/** Renders the page. */
export function htmlPage(title: string, meta: string, sections: HtmlSection[]): string {
  const body = sections.map((s) => {
    const [head, ...rows] = s.rows;
    const table = head === undefined
      ? ""
      : `<table><thead><tr>${head.map((c) => cell(c, "th")).join("")}</tr></thead>
<tbody>${rows.map((r) => `<tr>${r.map((c) => cell(c, "td")).join("")}</tr>`).join("\n")}</tbody></table>`;
    const note = s.note ? `<p class="note">${escapeHtml(s.note)}</p>` : "";
    return `<section><h2>${escapeHtml(s.title)}</h2>\n${table}\n${note}\n${
      (s.charts ?? []).join("\n")
    }</section>`;
  }).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${CSS}</style></head>
<body><h1>${escapeHtml(title)}</h1><p class="meta">${escapeHtml(meta)} · azmw ${VERSION}</p>
${body}
</body></html>
`;
}

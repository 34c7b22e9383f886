/**
 * HTML building for the admin UI: every value reaches the page through `esc()` (or a helper that calls
 * it), so text from the store, the logs or the request can never become markup.
 */

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for use in element content and in double-quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A hidden input carrying the CSRF token of the signed-in user. */
export function csrfField(csrf: string): string {
  return `<input type="hidden" name="csrf" value="${esc(csrf)}">`;
}

/** A form with one button that posts to `action` (revoke, disable ...). */
export function postButton(
  action: string,
  label: string,
  csrf: string,
  options: { confirm?: string; danger?: boolean; fields?: Record<string, string>; aria?: string } = {},
): string {
  const hidden = Object.entries(options.fields ?? {})
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join("");
  const confirm = options.confirm ? ` data-confirm="${esc(options.confirm)}"` : "";
  const aria = options.aria ? ` aria-label="${esc(options.aria)}"` : "";
  return `<form method="post" action="${esc(action)}" class="inline"${confirm}>${csrfField(csrf)}${hidden}` +
    `<button type="submit"${aria}${options.danger ? ' class="danger"' : ""}>${esc(label)}</button></form>`;
}

/** A table with a header row; `rows` are already-escaped cells. */
export function table(
  caption: string,
  head: readonly string[],
  rows: readonly (readonly string[])[],
  options: { numeric?: readonly number[]; empty?: string; id?: string; compact?: boolean } = {},
): string {
  const num = new Set(options.numeric ?? []);
  const th = head.map((h, i) => `<th scope="col"${num.has(i) ? ' class="n"' : ""}>${esc(h)}</th>`).join("");
  const body = rows.length === 0
    ? `<tr><td colspan="${head.length}" class="empty">${esc(options.empty ?? "Nothing yet")}</td></tr>`
    : rows.map((r) =>
      `<tr>${r.map((c, i) => `<td${num.has(i) ? ' class="n"' : ""}>${c}</td>`).join("")}</tr>`
    )
      .join("\n");
  const id = options.id ? ` id="${esc(options.id)}"` : "";
  return `<table${options.compact ? ' class="compact"' : ""}><caption>${
    esc(caption)
  }</caption><thead><tr>${th}</tr></thead><tbody${id}>${body}</tbody></table>`;
}

/** EUR for the UI: two decimals, four below one euro so small spends are visible. */
export function eur(value: number): string {
  return `€${value >= 1 || value === 0 ? value.toFixed(2) : value.toFixed(4)}`;
}

/** A count with thousands separators. */
export function count(value: number): string {
  return value.toLocaleString("en-US");
}

/** A percentage with one decimal. */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** Milliseconds for people: `850 ms`, `1.2 s`. */
export function ms(value: number | null): string {
  if (value === null) return "–";
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`;
}

/** An ISO time shortened to `YYYY-MM-DD HH:MM:SS` (UTC), in a `<time>` element. */
export function time(isoText: string | null | undefined): string {
  if (!isoText) return "–";
  return `<time datetime="${esc(isoText)}">${esc(isoText.slice(0, 19).replace("T", " "))}</time>`;
}

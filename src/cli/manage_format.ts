/** Human output of the management commands: tables, detail lists and the one-time secret notice. */
import type { CliIo } from "../core/command.ts";

type Json = Record<string, unknown>;

/** A left-aligned table with a header row. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(headers), ...rows.map(line)].join("\n") + "\n";
}

/** `label: value` lines, labels aligned. */
export function details(pairs: [string, string][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 1;
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v}`).join("\n") + "\n";
}

/** A policy in one line, e.g. `models=gpt-4o* rpm=10`; `-` when empty. */
export function policyText(policy: unknown): string {
  const p = (policy ?? {}) as Json;
  const parts = Object.entries(p).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : v}`);
  return parts.length === 0 ? "-" : parts.join(" ");
}

/** A time or `never`. */
export function when(value: unknown): string {
  return typeof value === "string" ? value.replace(/\.\d{3}Z$/, "Z") : "never";
}

/** A string field, or `-` when empty. */
export function field(value: unknown): string {
  if (value === null || value === undefined || value === "") return "-";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Prints a list: JSON as is, or a table plus how to get the next page. */
export function printList(
  io: CliIo,
  json: boolean,
  body: Json,
  headers: string[],
  row: (item: Json) => string[],
) {
  if (json) return io.stdout(JSON.stringify(body, null, 2) + "\n");
  const items = (body.data ?? []) as Json[];
  io.stdout(items.length === 0 ? "(none)\n" : table(headers, items.map(row)));
  if (typeof body.next_cursor === "string") io.stdout(`More: add --cursor ${body.next_cursor}\n`);
}

/** Prints one record: JSON as is, or its detail lines. */
export function printOne(io: CliIo, json: boolean, body: Json, pairs: (item: Json) => [string, string][]) {
  io.stdout(json ? JSON.stringify(body, null, 2) + "\n" : details(pairs(body)));
}

/** The notice that goes with a new key or token: the secret is shown this once. */
export function secretNotice(secret: unknown): string {
  return `\nSecret (shown once; it cannot be retrieved later):\n\n  ${secret}\n\n`;
}

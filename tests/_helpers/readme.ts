/** Reads what README documents, for tests that hold code and docs together. */
import assert from "node:assert/strict";

const README = new URL("../../README.md", import.meta.url);

/** Metric names in the first column of README's metrics table (rows between its header and a blank line). */
export async function documentedMetrics(): Promise<Set<string>> {
  const text = await Deno.readTextFile(README);
  const start = text.search(/^\| Metric +\|/m);
  assert.ok(start >= 0, "README has a metrics table");
  const names = new Set<string>();
  for (const line of text.slice(start).split("\n").slice(2)) {
    if (!line.startsWith("|")) break;
    const first = line.split("|")[1] ?? "";
    for (const m of first.matchAll(/`([a-zA-Z_:][a-zA-Z0-9_:]*)`/g)) names.add(m[1]!);
  }
  return names;
}

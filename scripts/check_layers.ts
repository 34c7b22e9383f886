/**
 * Checks that every import of `main.ts` and `src/` points down the declared floors: a file may import
 * files of its own folder and of any floor below its own, never one above it nor a sibling on its floor.
 * Prints every import that points up or sideways and exits 1 when there is one.
 *
 *     deno run --allow-read scripts/check_layers.ts
 *
 * @module
 */
import { dirname, join, normalize, relative } from "node:path";
import { scriptArgs } from "./_args.ts";

/**
 * The floors, top first. Each entry is a folder or file under the repository root; a file belongs to
 * the longest entry its path starts with. Entries on one floor may not import each other.
 */
export const FLOORS: readonly (readonly string[])[] = [
  ["main.ts"],
  ["src/cli"],
  ["src/bench"],
  ["src/server"],
  ["src/admin"],
  ["src/counters"],
  ["src/events"],
  ["src/cost"],
  ["src/governance"],
  ["src/logs"],
  ["src/observability"],
  ["src/pipeline"],
  ["src/providers"],
  ["src/streams"],
  ["src/store", "src/mock", "src/daemon"],
  ["src/config"],
  ["src/core", "src/version.ts", "src/printable.ts"],
];

/** One import that does not point down. */
export interface Violation {
  from: string;
  to: string;
  /** Line number of the import in `from`. */
  line: number;
  why: "up" | "sideways" | "outside";
}

/** `import … from "./x.ts"`, the last line of a multi-line import (`} from "./x.ts"`), `import "./x.ts"`. */
const STATIC = [
  /^\s*(?:import|export)\b[^"']*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/,
  /^\s*\}\s*from\s*["'](\.{1,2}\/[^"']+)["']/,
  /^\s*import\s*["'](\.{1,2}\/[^"']+)["']/,
];
const DYNAMIC = /\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

/** The relative imports of a source text with their line numbers (comment lines are skipped). */
export function relativeImports(text: string): { spec: string; line: number }[] {
  const out: { spec: string; line: number }[] = [];
  text.split("\n").forEach((raw, i) => {
    const trimmed = raw.trimStart();
    if (trimmed.startsWith("*") || trimmed.startsWith("//") || trimmed.startsWith("/*")) return;
    const spec = STATIC.map((re) => re.exec(raw)?.[1]).find((x) => x !== undefined);
    if (spec !== undefined) out.push({ spec, line: i + 1 });
    for (const d of raw.matchAll(DYNAMIC)) out.push({ spec: d[1]!, line: i + 1 });
  });
  return out;
}

/** The floor and entry of a repository-relative path, or null when no entry holds it. */
export function placeOf(path: string): { floor: number; entry: string } | null {
  let best: { floor: number; entry: string } | null = null;
  FLOORS.forEach((entries, floor) => {
    for (const entry of entries) {
      if ((path === entry || path.startsWith(`${entry}/`)) && (!best || entry.length > best.entry.length)) {
        best = { floor, entry };
      }
    }
  });
  return best;
}

/** Classifies the import of `to` by `from` (both repository-relative); null when it points down. */
export function judge(from: string, to: string): Violation["why"] | null {
  const a = placeOf(from);
  const b = placeOf(to);
  if (a === null || b === null) return "outside";
  if (a.entry === b.entry) return null;
  if (b.floor > a.floor) return null;
  return b.floor === a.floor ? "sideways" : "up";
}

async function sources(root: string, dir: string, out: string[]): Promise<void> {
  for await (const e of Deno.readDir(join(root, dir))) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) await sources(root, path, out);
    else if (e.name.endsWith(".ts")) out.push(path);
  }
}

/** Every import of `main.ts` and `src/` under `root` that does not point down. */
export async function checkLayers(root: string): Promise<Violation[]> {
  const files = ["main.ts"];
  await sources(root, "src", files);
  const found: Violation[] = [];
  for (const from of files.sort()) {
    const text = await Deno.readTextFile(join(root, from));
    for (const { spec, line } of relativeImports(text)) {
      const to = relative(root, normalize(join(root, dirname(from), spec)));
      const why = judge(from, to);
      if (why !== null) found.push({ from, to, line, why });
    }
  }
  return found;
}

if (import.meta.main) {
  const root = scriptArgs({ allowPositionals: true, options: {} }).positionals[0] ?? ".";
  const found = await checkLayers(root);
  for (const v of found) console.log(`${v.from}:${v.line} imports ${v.to} (${v.why})`);
  if (found.length > 0) {
    console.error(
      `${found.length} import(s) do not point down the floors declared in scripts/check_layers.ts`,
    );
    Deno.exit(1);
  }
  console.log(`Every import of main.ts and src/ points down (${FLOORS.length} floors)`);
}

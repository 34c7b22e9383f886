/**
 * The schema is the one source of config defaults: the defaults config.example.yaml states (`# … default X`)
 * and the Default column of docs/configuration.md must be the values the schema fills in.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../src/config/load.ts";

const ROOT = new URL("../../", import.meta.url);
const MINIMAL = `upstreams:
  - { name: a, kind: azure, endpoint: "https://a.example", auth: { type: api_key, key: env:K }, deployments: [{ name: d, model: m }] }
`;

/** The config with every default filled in, as a plain object. */
function defaults(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(parseConfigText(MINIMAL, "minimal.yaml", { hostname: () => "h" })));
}

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The schema's value at a snake_case dotted path, or undefined when the path is not one of a plain section. */
function at(config: Record<string, unknown>, path: string): unknown {
  let v: unknown = config;
  for (const key of path.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[camel(key)];
  }
  return v;
}

/** A documented default as the value it names, or undefined when it is prose, not a plain value. */
function literal(text: string): unknown {
  const t = text.trim().replace(/^`(.*)`$/, "$1").replace(/^"(.*)"$/, "$1");
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === "true" || t === "false") return t === "true";
  if (/^[A-Za-z0-9_./:-]+$/.test(t)) return t;
  return undefined;
}

/** `[path, stated default]` of config.example.yaml: uncommented keys whose comment ends in `default X`. */
export function exampleDefaults(text: string): [string, string][] {
  const out: [string, string][] = [];
  const stack: { indent: number; key: string }[] = [];
  for (const line of text.split("\n")) {
    const m = /^( *)([a-z_0-9]+):(.*)$/.exec(line);
    if (!m) continue;
    const indent = m[1]!.length;
    while (stack.length > 0 && stack.at(-1)!.indent >= indent) stack.pop();
    stack.push({ indent, key: m[2]! });
    const d = /#.*\bdefault:? ([^\s;,()]+)\s*$/.exec(m[3]!);
    if (d) out.push([stack.map((s) => s.key).join("."), d[1]!]);
  }
  return out;
}

/** `[path, default]` rows of the configuration table in docs/configuration.md. */
export function tableDefaults(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of text.split("\n")) {
    const m = /^\| `([a-z_0-9.]+)` +\| ([^|]+?) +\|/.exec(line);
    if (m) out.push([m[1]!, m[2]!]);
  }
  return out;
}

function compare(rows: [string, string][], where: string): number {
  const config = defaults();
  const wrong: string[] = [];
  let compared = 0;
  for (const [path, stated] of rows) {
    const want = literal(stated);
    const have = at(config, path);
    if (want === undefined || have === undefined || (have !== null && typeof have === "object")) continue;
    compared++;
    if (have !== want) {
      wrong.push(`${path}: ${where} says ${JSON.stringify(want)}, the schema ${JSON.stringify(have)}`);
    }
  }
  assert.deepEqual(wrong, []);
  return compared;
}

Deno.test("config.example.yaml states the schema's defaults", async () => {
  const text = await Deno.readTextFile(new URL("config.example.yaml", ROOT));
  const compared = compare(exampleDefaults(text), "config.example.yaml");
  assert.ok(compared >= 20, `only ${compared} defaults compared`);
});

Deno.test("docs/configuration.md's table states the schema's defaults", async () => {
  const text = await Deno.readTextFile(new URL("docs/configuration.md", ROOT));
  const compared = compare(tableDefaults(text), "docs/configuration.md");
  assert.ok(compared >= 20, `only ${compared} defaults compared`);
});

Deno.test("the comparison finds a default that disagrees", () => {
  const rows = exampleDefaults("server:\n  port: 8787 # TCP port; default 9999\n");
  assert.deepEqual(rows, [["server.port", "9999"]]);
  assert.throws(() => compare(rows, "x"), /server\.port: x says 9999, the schema 8787/);
  assert.throws(
    () => compare(tableDefaults("| `server.host` | `0.0.0.0` | listen |\n"), "y"),
    /server\.host/,
  );
});

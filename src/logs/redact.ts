/**
 * Redaction before sealing: known secrets (the gateway's upstream credentials) are always removed; then the
 * configured JSON paths are dropped and the built-in and custom patterns applied to every string value.
 */
import type { RedactConfig } from "../config/types.ts";
import { BUILTIN_ORDER, BUILTIN_PATTERNS, hasKeyRun, type Pattern } from "./redact_patterns.ts";

/** What replaces a value at a dropped JSON path. */
export const DROPPED = "[dropped]";
/** What replaces a known secret. */
export const SECRET = "[SECRET]";

type Step = string | number | "*";

/** Parses a drop path (`messages[*].content`, `$.user`, `input[0]`) into steps; `*` matches any child. */
export function parseJsonPath(path: string): Step[] {
  const steps: Step[] = [];
  const re = /(?:^\$?\.?|\.)(\*|[A-Za-z0-9_-]+)|\[(\*|\d+)\]/y;
  const body = path.startsWith("$.") ? path.slice(2) : path;
  let at = 0;
  re.lastIndex = 0;
  while (at < body.length) {
    re.lastIndex = at;
    const m = re.exec(body);
    if (m === null || m[0] === "") throw new TypeError(`Invalid JSON path ${JSON.stringify(path)}`);
    const raw = m[1] ?? m[2]!;
    steps.push(raw === "*" ? "*" : m[2] !== undefined ? Number(raw) : raw);
    at = re.lastIndex;
  }
  if (steps.length === 0) throw new TypeError(`Invalid JSON path ${JSON.stringify(path)}`);
  return steps;
}

function dropAt(value: unknown, steps: Step[], i: number): void {
  if (typeof value !== "object" || value === null) return;
  const step = steps[i]!;
  const last = i === steps.length - 1;
  const obj = value as Record<string | number, unknown>;
  const keys = step === "*" ? Object.keys(obj) : Object.hasOwn(obj, step) ? [step] : [];
  for (const key of keys) {
    if (last) obj[key] = DROPPED;
    else dropAt(obj[key], steps, i + 1);
  }
}

/** Redacts strings and parsed JSON bodies; built once from the config. */
export class Redactor {
  readonly #secrets: string[];
  readonly #patterns: Pattern[];
  readonly #paths: Step[][];

  /** Builds a redactor; `secrets` are literal values removed everywhere (shorter than 8 are ignored). */
  constructor(config: RedactConfig, options: { secrets?: string[] } = {}) {
    this.#secrets = [...new Set(options.secrets ?? [])].filter((s) => s.length >= 8)
      .sort((a, b) => b.length - a.length);
    this.#patterns = [
      ...BUILTIN_ORDER.filter((b) => config.builtin.includes(b)).flatMap((b) => BUILTIN_PATTERNS[b]),
      ...config.rules.map((r) => ({
        regex: new RegExp(r.pattern, `g${r.flags}`),
        replacement: r.replacement,
      })),
    ];
    this.#paths = config.dropPaths.map(parseJsonPath);
  }

  /** Removes known secrets only (for plain metadata such as error messages). */
  secrets(text: string): string {
    let out = text;
    for (const s of this.#secrets) if (out.includes(s)) out = out.replaceAll(s, SECRET);
    return out;
  }

  /** Applies secrets and every pattern to one string. */
  text(text: string): string {
    let out = this.secrets(text);
    let run: boolean | undefined;
    for (const p of this.#patterns) {
      if (p.needs === "@" && !out.includes("@")) continue;
      if (p.needs === "run" && !(run ??= hasKeyRun(out, 32))) continue;
      p.regex.lastIndex = 0;
      if (!p.regex.test(out)) continue;
      p.regex.lastIndex = 0;
      // A string replacement expands `$1` and friends in custom rules.
      out = p.accept
        ? out.replace(p.regex, (m) => p.accept!(m) ? p.replacement : m)
        : out.replace(p.regex, p.replacement);
    }
    return out;
  }

  /** Redacts a parsed JSON value in place (drop paths, then every string); returns it. */
  json(value: unknown): unknown {
    for (const steps of this.#paths) dropAt(value, steps, 0);
    return this.#strings(value);
  }

  #strings(value: unknown): unknown {
    if (typeof value === "string") return this.text(value);
    if (typeof value !== "object" || value === null) return value;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = this.#strings(value[i]);
      return value;
    }
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) obj[key] = this.#strings(obj[key]);
    return value;
  }
}

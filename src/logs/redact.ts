/**
 * Redaction before sealing: known secrets (the gateway's upstream credentials) are always removed; then the
 * configured JSON paths are dropped and the built-in and custom patterns applied to every string value.
 *
 * Every built-in pattern runs in time linear in its input. Custom rules are run on bounded pieces of long
 * strings, and the whole body runs under a time budget (`withBudget`): the clock is read before each
 * string, between the built-in patterns on long strings (on short ones they take next to no time) and
 * before every custom rule and piece, and a body past its budget throws `RedactionBudgetError` so the
 * caller can log a marker instead of the body — never the body unredacted, and never holding up the
 * records behind it for long.
 */
import type { RedactConfig } from "../config/types.ts";
import { BUILTIN_ORDER, BUILTIN_PATTERNS, countDigits, hasKeyRun, type Pattern } from "./redact_patterns.ts";

/** What replaces a value at a dropped JSON path. */
export const DROPPED = "[dropped]";
/** What replaces a known secret. */
export const SECRET = "[SECRET]";

type Step = string | number | "*";

/** Default redaction budget per body, in milliseconds. */
export const REDACT_BUDGET_MS = 250;
/** Custom rules see long strings in pieces of at most this many characters (cut at whitespace if any). */
export const RULE_PIECE = 16 * 1024;
/** Strings from this many characters on have the clock read between built-in patterns. */
const LONG_STRING = 4 * 1024;

/** A body whose redaction ran past its time budget. */
export class RedactionBudgetError extends Error {
  /** Creates the error for a budget of `budgetMs`. */
  constructor(readonly budgetMs: number) {
    super(`Redaction took longer than its budget of ${budgetMs} ms`);
    this.name = "RedactionBudgetError";
  }
}

/** Options of a `Redactor`. */
export interface RedactorOptions {
  /** Literal values removed everywhere (shorter than 8 are ignored). */
  secrets?: string[];
  /** Time budget of one `withBudget()` run, in ms (default `REDACT_BUDGET_MS`). */
  budgetMs?: number;
  /** Monotonic clock in ms (default `performance.now`). */
  clock?: () => number;
}

/** Where to cut `text` at or before `end`: after the last whitespace in the piece's last quarter, if any. */
function pieceEnd(text: string, start: number): number {
  const end = start + RULE_PIECE;
  if (end >= text.length) return text.length;
  for (let i = end; i > end - RULE_PIECE / 4; i--) {
    const c = text.charCodeAt(i - 1);
    if (c === 32 || c === 10 || c === 9 || c === 13) return i;
  }
  return end;
}

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

/** Replaces the values at `steps` under `root`; iterative, so no nesting depth overflows the stack. */
function dropAt(root: unknown, steps: Step[]): void {
  const work: [unknown, number][] = [[root, 0]];
  while (work.length > 0) {
    const [value, i] = work.pop()!;
    if (typeof value !== "object" || value === null) continue;
    const step = steps[i]!;
    const last = i === steps.length - 1;
    const obj = value as Record<string | number, unknown>;
    const keys = step === "*" ? Object.keys(obj) : Object.hasOwn(obj, step) ? [step] : [];
    for (const key of keys) {
      if (last) obj[key] = DROPPED;
      else work.push([obj[key], i + 1]);
    }
  }
}

function apply(p: Pattern, text: string): string {
  if (p.scan) return p.scan(text, p.replacement);
  p.regex.lastIndex = 0;
  if (!p.regex.test(text)) return text;
  p.regex.lastIndex = 0;
  // A string replacement expands `$1` and friends in custom rules.
  return p.accept
    ? text.replace(p.regex, (m) => p.accept!(m) ? p.replacement : m)
    : text.replace(p.regex, p.replacement);
}

/** Redacts strings and parsed JSON bodies; built once from the config. */
export class Redactor {
  readonly #secrets: string[];
  readonly #patterns: Pattern[];
  /** The most digits any of `#patterns` needs (digits are counted up to this). */
  readonly #maxDigits: number;
  readonly #rules: Pattern[];
  readonly #paths: Step[][];
  readonly #budgetMs: number;
  readonly #clock: () => number;
  #deadline = Infinity;

  /** Builds a redactor from the config's built-ins, custom rules and drop paths. */
  constructor(config: RedactConfig, options: RedactorOptions = {}) {
    this.#secrets = [...new Set(options.secrets ?? [])].filter((s) => s.length >= 8)
      .sort((a, b) => b.length - a.length);
    this.#patterns = BUILTIN_ORDER.filter((b) => config.builtin.includes(b)).flatMap((b) =>
      BUILTIN_PATTERNS[b]
    );
    this.#maxDigits = Math.max(0, ...this.#patterns.map((p) => p.minDigits ?? 0));
    this.#rules = config.rules.map((r) => ({
      regex: new RegExp(r.pattern, `g${r.flags}`),
      replacement: r.replacement,
    }));
    this.#paths = config.dropPaths.map(parseJsonPath);
    this.#budgetMs = options.budgetMs ?? REDACT_BUDGET_MS;
    this.#clock = options.clock ?? (() => performance.now());
  }

  /** Whether drop paths are configured (a body that cannot be parsed cannot have them applied). */
  get dropsPaths(): boolean {
    return this.#paths.length > 0;
  }

  /**
   * Runs `fn` (redaction of one body) under the time budget: `text()` and `json()` throw
   * `RedactionBudgetError` once it is spent.
   */
  withBudget<T>(fn: () => T): T {
    this.#deadline = this.#clock() + this.#budgetMs;
    try {
      return fn();
    } finally {
      this.#deadline = Infinity;
    }
  }

  #check(): void {
    if (this.#deadline !== Infinity && this.#clock() > this.#deadline) {
      throw new RedactionBudgetError(this.#budgetMs);
    }
  }

  /** Removes known secrets only (for plain metadata such as error messages). */
  secrets(text: string): string {
    let out = text;
    for (const s of this.#secrets) if (out.includes(s)) out = out.replaceAll(s, SECRET);
    return out;
  }

  /** Applies secrets, every built-in pattern and the custom rules to one string. */
  text(text: string): string {
    this.#check();
    let out = this.secrets(text);
    const long = out.length >= LONG_STRING;
    let run: boolean | undefined;
    // Counted once: replacements only take digits out, so a stale count never skips a pattern wrongly.
    let digits: number | undefined;
    for (const p of this.#patterns) {
      if (p.needs === "@" && !out.includes("@")) continue;
      if (p.needs === "run" && !(run ??= hasKeyRun(out, 32))) continue;
      if (p.minDigits !== undefined && (digits ??= countDigits(out, this.#maxDigits)) < p.minDigits) continue;
      if (long) this.#check();
      out = apply(p, out);
    }
    if (this.#rules.length === 0) return out;
    if (out.length <= RULE_PIECE) {
      for (const p of this.#rules) {
        this.#check();
        out = apply(p, out);
      }
      return out;
    }
    // A custom regex may backtrack badly: on bounded pieces, with the clock read between them.
    let done = "";
    for (let start = 0; start < out.length;) {
      const end = pieceEnd(out, start);
      let piece = out.slice(start, end);
      for (const p of this.#rules) {
        this.#check();
        piece = apply(p, piece);
      }
      done += piece;
      start = end;
    }
    return done;
  }

  /**
   * Whether redaction would leave every string of the JSON text `json` as it is — keys, and values
   * `JSON.parse` drops as duplicates, included — so the body's own bytes can be logged as they are. `false`
   * when it cannot tell that cheaply: drop paths or custom rules are configured (a custom regex may treat
   * a string's edges differently), or a secret or pattern matches. The strings are checked joined by NUL
   * in one pass: no built-in pattern matches across a NUL or a secret holds one, and each treats a NUL as
   * it treats the edge of a string, so a string that redaction would change changes the joined text.
   * `json` must be valid JSON (outside its strings there is no `"`).
   */
  unchanged(json: string): boolean {
    if (this.#rules.length > 0 || this.#paths.length > 0) return false;
    const joined = jsonStrings(json).join("\0");
    return this.text(joined) === joined;
  }

  /**
   * Redacts a parsed JSON value in place (drop paths, then every string, object keys included); returns it.
   * Keys that redact to the same text are told apart by a suffix (`[EMAIL]`, `[EMAIL] (2)`), so no value is
   * lost to another.
   */
  json(value: unknown): unknown {
    for (const steps of this.#paths) dropAt(value, steps);
    if (typeof value === "string") return this.text(value);
    // Iterative, so a deeply nested body cannot overflow the stack.
    const work: unknown[] = [value];
    // Bodies repeat few keys many times ("role", "content"): each is redacted once per body.
    const keys = new Map<string, string>();
    while (work.length > 0) {
      const obj = work.pop();
      if (typeof obj !== "object" || obj === null) continue;
      const o = obj as Record<string, unknown>;
      const array = Array.isArray(o);
      if (!array) this.#keys(o, keys);
      for (const key of array ? o.keys() : Object.keys(o)) {
        const v = o[key];
        if (typeof v === "string") o[key] = this.text(v);
        else if (typeof v === "object" && v !== null) work.push(v);
      }
    }
    return value;
  }

  /** Redacts the keys of `o` in place, keeping their order (a no-op when none changes); `done` caches them. */
  #keys(o: Record<string, unknown>, done: Map<string, string>): void {
    const keys = Object.keys(o);
    const text = (k: string) => {
      let r = done.get(k);
      if (r === undefined) done.set(k, r = this.text(k));
      return r;
    };
    let first = 0;
    while (first < keys.length && text(keys[first]!) === keys[first]) first++;
    if (first === keys.length) return;
    const redacted = keys.map((k, i) => i < first ? k : text(k));
    const values = keys.map((k) => o[k]);
    for (const k of keys) delete o[k];
    const taken = new Set<string>();
    /** The next suffix to try per redacted key, so many keys that redact alike stay linear. */
    const next = new Map<string, number>();
    for (const [i, k] of redacted.entries()) {
      if ((i & 1023) === 1023) this.#check();
      let n = next.get(k) ?? 1;
      let name = n === 1 ? k : `${k} (${n})`;
      while (taken.has(name)) name = `${k} (${++n})`;
      next.set(k, n + 1);
      taken.add(name);
      // Defined, not assigned: a key "__proto__" stays a key.
      Object.defineProperty(o, name, {
        value: values[i],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
}

/** The strings of the valid JSON text `json`, keys included, decoded; a loop, so no length overflows a stack. */
export function jsonStrings(json: string): string[] {
  const out: string[] = [];
  for (let open = json.indexOf('"'); open !== -1;) {
    let close = json.indexOf('"', open + 1);
    for (;;) {
      if (close === -1) return out;
      let slashes = 0;
      while (json.charCodeAt(close - 1 - slashes) === 92) slashes++;
      if (slashes % 2 === 0) break; // an even run of backslashes escapes itself, not the quote
      close = json.indexOf('"', close + 1);
    }
    const body = json.slice(open + 1, close);
    out.push(body.includes("\\") ? JSON.parse(json.slice(open, close + 1)) : body);
    open = json.indexOf('"', close + 1);
  }
  return out;
}

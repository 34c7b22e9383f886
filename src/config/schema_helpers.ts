/**
 * Building blocks of the hand-written config validator: small field readers that check one value, record
 * it as an issue when it is wrong, and compose into tables (`record({ port: def(int(1, 65535), 8787) })`).
 *
 * A failed read records its issue and yields a placeholder; `validateConfig()` throws as soon as any issue
 * was recorded, so placeholders never reach a caller.
 */

/** One problem: the dotted key path and what was expected plus what was found. */
export interface Issue {
  path: string;
  message: string;
}

/** Collects every issue of one validation run. */
export class Issues {
  /** The issues recorded so far, in the order found. */
  readonly list: Issue[] = [];

  /** Records an issue and returns a placeholder for the failed value (never observed by callers). */
  fail<T>(path: string, message: string): T {
    this.list.push({ path, message });
    return undefined as T;
  }
}

/** Reads one value found at `path`; `expected` describes a good value for messages. */
export interface Field<T> {
  expected: string;
  read(value: unknown, path: string, issues: Issues): T;
}

/** Joins a key path: `child("server", "port")` is `server.port`, numbers become `[i]`. */
export function child(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path === "" ? key : `${path}.${key}`;
}

/** The kind of a value, for messages that must not echo it. */
function kindOf(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "boolean") return `${value}`;
  return typeof value === "number" ? "a number" : `a ${typeof value}`;
}

/** A value as shown in messages: scalars quoted and shortened, structures by kind. */
function show(value: unknown): string {
  if (typeof value === "string") {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (typeof value === "number") return `${value}`;
  return kindOf(value);
}

function check<T>(
  expected: string,
  ok: (value: unknown) => boolean,
  convert: (value: unknown) => T,
  showValue: (value: unknown) => string = show,
): Field<T> {
  return {
    expected,
    read(value, path, issues) {
      if (value === undefined) return issues.fail(path, `required, expected ${expected}`);
      if (!ok(value)) return issues.fail(path, `expected ${expected}, got ${showValue(value)}`);
      return convert(value);
    },
  };
}

/** A non-empty string, optionally matching `pattern` (then `expected` says what it is). */
export function str(pattern = /\S/, expected = "a non-empty string"): Field<string> {
  return check(expected, (v) => typeof v === "string" && pattern.test(v), (v) => v as string);
}

/** An integer from `min` to `max`. */
export function int(min: number, max: number): Field<number> {
  return check(
    `an integer from ${min} to ${max}`,
    (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max,
    (v) => v as number,
  );
}

/** `true` or `false`. */
export function bool(): Field<boolean> {
  return check("true or false", (v) => typeof v === "boolean", (v) => v as boolean);
}

/** One of a fixed set of strings. */
export function oneOf<const V extends string>(values: readonly V[]): Field<V> {
  return check(
    `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`,
    (v) => values.includes(v as V),
    (v) => v as V,
  );
}

/**
 * A string that is never echoed in messages (a secret, or a value a secret could be pasted into):
 * a bad string is described by `describe(it)` instead.
 */
export function hidden(
  pattern: { test(s: string): boolean },
  expected: string,
  describe: (bad: string) => string,
  convert = (s: string) => s,
): Field<string> {
  return check(
    expected,
    (v) => typeof v === "string" && pattern.test(v),
    (v) => convert(v as string),
    (v) => typeof v === "string" ? describe(v) : kindOf(v),
  );
}

/** `field`, or the raw `fallback` read through `field` when the key is absent. */
export function def<T>(field: Field<T>, fallback: unknown): Field<T> {
  return { expected: field.expected, read: (v, p, i) => field.read(v === undefined ? fallback : v, p, i) };
}

/** `field`, or `undefined` when the key is absent. */
export function opt<T>(field: Field<T>): Field<T | undefined> {
  return { expected: field.expected, read: (v, p, i) => v === undefined ? undefined : field.read(v, p, i) };
}

/** `field` followed by a check or conversion of its result (skipped when the read failed). */
export function refine<T, U>(field: Field<T>, then: (value: T, path: string, issues: Issues) => U): Field<U> {
  return {
    expected: field.expected,
    read(value, path, issues) {
      const before = issues.list.length;
      const result = field.read(value, path, issues);
      return issues.list.length > before ? (result as unknown as U) : then(result, path, issues);
    },
  };
}

/**
 * A list of `item`s with at least `min` entries, called `noun` in messages; an empty YAML value (null) is
 * an empty list.
 */
export function list<T>(item: Field<T>, min = 0, noun = item.expected): Field<T[]> {
  return {
    expected: `a list of ${noun}`,
    read(value, path, issues) {
      if (value === undefined) return issues.fail(path, `required, expected a list of ${noun}`);
      const items = value === null ? [] : value;
      if (!Array.isArray(items)) return issues.fail(path, `expected a list, got ${kindOf(value)}`);
      if (items.length < min) {
        return issues.fail(
          path,
          `expected at least ${min} ${min === 1 ? "entry" : "entries"}, got ${items.length}`,
        );
      }
      return items.map((v, i) => item.read(v, child(path, i), issues));
    },
  };
}

type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type ValueOf<F> = F extends Field<infer T> ? T : never;
// deno-lint-ignore no-explicit-any
type Spec = Record<string, Field<any>>;
/** What `record(spec)` yields: camelCase keys, optional where the field may be `undefined`. */
export type RecordOf<S extends Spec> =
  & { [K in keyof S & string as undefined extends ValueOf<S[K]> ? never : Camel<K>]: ValueOf<S[K]> }
  & {
    [K in keyof S & string as undefined extends ValueOf<S[K]> ? Camel<K> : never]?: Exclude<
      ValueOf<S[K]>,
      undefined
    >;
  };

function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A mapping with exactly the keys of `spec` (snake_case in, camelCase out); unknown keys are issues. */
export function record<S extends Spec>(spec: S): Field<RecordOf<S>> {
  const keys = Object.keys(spec);
  return {
    expected: "a mapping",
    read(value, path, issues) {
      if (value === undefined) return issues.fail(path, "required, expected a mapping");
      const raw = value ?? {};
      if (typeof raw !== "object" || Array.isArray(raw)) {
        return issues.fail(path, `expected a mapping, got ${kindOf(value)}`);
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(raw)) {
        if (!keys.includes(key)) issues.fail(child(path, key), unknownKey(key, keys));
      }
      for (const key of keys) {
        const v = spec[key]!.read((raw as Record<string, unknown>)[key], child(path, key), issues);
        if (v !== undefined) out[camel(key)] = v;
      }
      return out as RecordOf<S>;
    },
  };
}

/** A mapping whose `tag` key picks which field reads it (a discriminated union). */
export function tagged<T>(tag: string, variants: Record<string, Field<T>>): Field<T> {
  const tagField = oneOf(Object.keys(variants));
  return {
    expected: `a mapping with "${tag}"`,
    read(value, path, issues) {
      if (value === undefined) return issues.fail(path, `required, expected a mapping with "${tag}"`);
      const raw = value ?? {};
      if (typeof raw !== "object" || Array.isArray(raw)) {
        return issues.fail(path, `expected a mapping, got ${kindOf(value)}`);
      }
      const before = issues.list.length;
      const kind = tagField.read((raw as Record<string, unknown>)[tag], child(path, tag), issues);
      return issues.list.length > before ? (undefined as T) : variants[kind]!.read(raw, path, issues);
    },
  };
}

function unknownKey(key: string, allowed: string[]): string {
  const near = allowed.find((k) => distance(k, key) <= 2);
  if (near !== undefined) return `unknown key, did you mean "${near}"?`;
  return `unknown key, expected one of ${allowed.map((k) => `"${k}"`).join(", ")}`;
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + cost));
    }
    row = next;
  }
  return row[b.length]!;
}

/** Records a `duplicate` issue for every entry whose value was already used by an earlier entry. */
export function unique(issues: Issues, entries: { value: unknown; path: string }[], what: string): void {
  const first = new Map<unknown, string>();
  for (const { value, path } of entries) {
    if (typeof value !== "string") continue;
    const earlier = first.get(value);
    if (earlier === undefined) first.set(value, path);
    else issues.fail(path, `duplicate ${what} ${JSON.stringify(value)}, already used at ${earlier}`);
  }
}

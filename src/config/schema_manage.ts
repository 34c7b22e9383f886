/**
 * Schema pieces of callers and governance: the `manage` section (management tokens, store, caller cache)
 * and the caller `policy` (also used to validate policies sent to the management API).
 */
import { def, type Field, hidden, int, list, oneOf, opt, record, str } from "./schema_helpers.ts";
import { describeBadRef, isSecretRef, SECRET_REF_EXPECTED } from "./secrets.ts";

/** Defaults of the `manage` section. */
export const MANAGE_DEFAULTS = {
  /** File name of the SQLite store inside `server.data_dir`. */
  storeFile: "azmw.db",
  cacheTtlMs: 1_000,
} as const;

/** Operation names a policy may allow (the gateway's inference operations). */
export const OPERATION_NAMES = ["chat", "completions", "embeddings", "responses", "messages"] as const;

const secret = (): Field<string> => hidden({ test: isSecretRef }, SECRET_REF_EXPECTED, describeBadRef);

/** A finite number from `min` to `max` (fractions allowed). */
export function num(min: number, max: number): Field<number> {
  const expected = `a number from ${min} to ${max}`;
  return {
    expected,
    read(value, path, issues) {
      if (value === undefined) return issues.fail(path, `required, expected ${expected}`);
      if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
        const got = typeof value === "number"
          ? `${value}`
          : typeof value === "string"
          ? JSON.stringify(value.slice(0, 40))
          : Array.isArray(value)
          ? "a list"
          : value === null
          ? "null"
          : `a ${typeof value}`;
        return issues.fail(path, `expected ${expected}, got ${got}`);
      }
      return value;
    },
  };
}

/** A model name or glob (`*` any run of characters, `?` one character). */
export const MODEL_GLOB = str(/^[A-Za-z0-9*?._:/@-]{1,200}$/, 'a model name or glob such as "gpt-4o*"');

/** A caller policy (config `policy`, and the `policy` of projects, keys and tokens). */
export const POLICY = record({
  models: opt(list(MODEL_GLOB)),
  operations: opt(list(oneOf(OPERATION_NAMES))),
  max_tokens: opt(int(1, 100_000_000)),
  max_body_bytes: opt(int(1, 2 ** 30)),
  rpm: opt(int(1, 1_000_000_000)),
  tpm: opt(int(1, 1_000_000_000_000)),
  daily_cost_eur: opt(num(0, 1_000_000_000)),
});

const PG_URL = /^postgres(ql)?:\/\//i;
/** A password inside a URL in the config would be a literal secret. */
const URL_PASSWORD = /^postgres(ql)?:\/\/[^/@]*:[^/@]*@/i;

/** `manage.store`: a SQLite path, a PostgreSQL URL without a password, or a secret reference to a URL. */
export const STORE: Field<string> = hidden(
  {
    test: (s) =>
      s.trim() !== "" && !URL_PASSWORD.test(s) &&
      (/^(env|file):/.test(s) ? isSecretRef(s) : PG_URL.test(s) || !/^[a-z][a-z0-9+.-]*:\/\//i.test(s)),
  },
  'a SQLite file path, a "postgres://" URL without a password, or a secret reference such as ' +
    '"env:AZMW_DATABASE_URL"',
  (bad) =>
    URL_PASSWORD.test(bad)
      ? "a URL with a literal password (put the URL in a secret reference)"
      : /^(env|file):/.test(bad)
      ? "a malformed reference"
      : bad.trim() === ""
      ? "an empty string"
      : "an unsupported URL",
);

/** The `manage` section. */
export const MANAGE = record({
  token: opt(secret()),
  reader_token: opt(secret()),
  store: opt(STORE),
  // Capped at one second: a disabled key or revoked token must stop working within that time.
  cache_ttl_ms: def(int(0, 1_000), MANAGE_DEFAULTS.cacheTtlMs),
});

/**
 * Schema of the `shared` section: services that several replicas share — the Redis server that keeps
 * caller limits (RPM/TPM windows, daily cost caps, token uses) exact across replicas and that the Redis
 * event bus uses, and what the gateway does while it cannot reach it. Defaults are applied where the
 * values are used (`SHARED_DEFAULTS`), so a config without the section reads as `shared: {}`.
 */
import { type Field, int, oneOf, opt, record, str } from "./schema_helpers.ts";
import { describeBadRef, isSecretRef } from "./secrets.ts";
import type { SharedConfig } from "./types.ts";

/** Defaults of the `shared` section. */
export const SHARED_DEFAULTS = {
  onUnavailable: "closed",
  prefix: "azmw:",
  timeoutMs: 250,
} as const;

const REDIS_EXPECTED = 'a "redis://" or "rediss://" URL, or a secret reference to one';

/** A Redis URL; its value is never echoed (it may hold a password). */
export const REDIS_URL: Field<string> = {
  expected: REDIS_EXPECTED,
  read(value, path, issues) {
    if (typeof value !== "string" || value === "") {
      return issues.fail(
        path,
        value === undefined ? `required, expected ${REDIS_EXPECTED}` : `expected ${REDIS_EXPECTED}`,
      );
    }
    if (isSecretRef(value)) return value;
    const url = URL.parse(value);
    if (url?.protocol === "redis:" || url?.protocol === "rediss:") return value;
    return issues.fail(path, `expected ${REDIS_EXPECTED}, got ${describeBadRef(value)}`);
  },
};

/** The `shared` section. */
export const SHARED: Field<SharedConfig> = record({
  redis: opt(REDIS_URL),
  on_unavailable: opt(oneOf(["closed", "open"])),
  prefix: opt(str(/^[A-Za-z0-9:_.{}-]{1,64}$/, 'a key prefix such as "azmw:"')),
  timeout_ms: opt(int(10, 10_000)),
});

/**
 * Schema of the `shared` section: services that several replicas share. Only `shared.redis` (the Redis
 * URL) is read here, by the Redis event bus.
 */
import { type Field, opt, record } from "./schema_helpers.ts";
import { describeBadRef, isSecretRef } from "./secrets.ts";
import type { SharedConfig } from "./types.ts";

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
export const SHARED: Field<SharedConfig> = record({ redis: opt(REDIS_URL) });

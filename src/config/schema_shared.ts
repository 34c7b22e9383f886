/**
 * Schema of the `shared` section: the Redis server that makes caller limits (RPM/TPM windows, daily cost
 * caps, token uses) exact across replicas, and what the gateway does while it cannot reach it.
 */
import { def, hidden, int, oneOf, opt, record, refine, str } from "./schema_helpers.ts";
import { isSecretRef } from "./secrets.ts";
import type { SharedConfig } from "./types.ts";

/** Defaults of the `shared` section. */
export const SHARED_DEFAULTS = {
  onUnavailable: "closed",
  prefix: "azmw:",
  timeoutMs: 250,
} as const;

/** A `redis://` or `rediss://` URL without a password in it. */
const PLAIN_URL = /^rediss?:\/\/(?:[^:@/\s]+@)?[^@/\s:]+(?::\d{1,5})?(?:\/\d{1,2})?\/?$/;

const REDIS = hidden(
  { test: (s) => isSecretRef(s) || PLAIN_URL.test(s) },
  'a URL "redis://host:port/db" or a secret reference "env:NAME" / "file:/path" (a URL with a password ' +
    "must be a secret reference)",
  (s) => /^rediss?:\/\/[^@\s]*:[^@\s]*@/.test(s) ? "a URL with a password" : "something else",
);

/** The `shared` section. */
export const SHARED = refine(
  record({
    redis: opt(REDIS),
    on_unavailable: def(oneOf(["closed", "open"]), SHARED_DEFAULTS.onUnavailable),
    prefix: def(str(/^[A-Za-z0-9:_.{}-]{1,64}$/, 'a key prefix such as "azmw:"'), SHARED_DEFAULTS.prefix),
    timeout_ms: def(int(10, 10_000), SHARED_DEFAULTS.timeoutMs),
  }),
  (s): SharedConfig => ({
    ...(s.redis !== undefined ? { redis: s.redis } : {}),
    onUnavailable: s.onUnavailable,
    prefix: s.prefix,
    timeoutMs: s.timeoutMs,
  }),
);

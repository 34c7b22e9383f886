/**
 * Schema pieces of the providers and routing work: the `models` map, the `routing` section and its
 * per-upstream overrides, connection pools, extra headers, and the auth of the OpenAI and Anthropic
 * upstream kinds — plus the rules that tie `models` targets to upstreams.
 */
import {
  child,
  def,
  type Field,
  hidden,
  int,
  type Issues,
  list,
  oneOf,
  opt,
  record,
  refine,
  str,
  tagged,
} from "./schema_helpers.ts";
import { describeBadRef, isSecretRef, SECRET_REF_EXPECTED } from "./secrets.ts";
import type {
  AnthropicAuthConfig,
  ModelConfig,
  OpenAIAuthConfig,
  PoolConfig,
  RoutingConfig,
  UpstreamConfig,
} from "./types.ts";

/** Defaults of the routing section, connection pools and the new upstream kinds. */
export const ROUTING_DEFAULTS = {
  retries: 2,
  backoffMs: 200,
  maxBackoffMs: 5_000,
  breaker: { failures: 5, cooldownMs: 30_000 },
  pool: { maxIdlePerHost: 64, idleTimeoutMs: 90_000 },
  openaiBaseUrl: "https://api.openai.com/v1",
  anthropicBaseUrl: "https://api.anthropic.com",
  anthropicVersion: "2023-06-01",
  defaultMaxTokens: 4096,
} as const;

const HOUR_MS = 3_600_000;
const secret = (): Field<string> => hidden({ test: isSecretRef }, SECRET_REF_EXPECTED, describeBadRef);

/** A mapping of names (matching `key`) to values read by `value`, in document order. */
export function mapping<T>(
  key: RegExp,
  keyExpected: string,
  value: Field<T>,
): Field<[string, T][]> {
  return {
    expected: "a mapping",
    read(raw, path, issues) {
      if (raw === undefined) return issues.fail(path, "required, expected a mapping");
      const m = raw ?? {};
      if (typeof m !== "object" || Array.isArray(m)) {
        return issues.fail(path, `expected a mapping, got ${Array.isArray(m) ? "a list" : `a ${typeof m}`}`);
      }
      const out: [string, T][] = [];
      for (const [name, v] of Object.entries(m as Record<string, unknown>)) {
        if (!key.test(name)) issues.fail(child(path, name), `expected ${keyExpected} as the key`);
        out.push([name, value.read(v, child(path, name), issues)]);
      }
      return out;
    },
  };
}

const BREAKER = record({
  failures: def(int(0, 1_000), ROUTING_DEFAULTS.breaker.failures),
  cooldown_ms: def(int(1, HOUR_MS), ROUTING_DEFAULTS.breaker.cooldownMs),
});

/** The top-level `routing` section. */
export const ROUTING: Field<RoutingConfig> = record({
  retries: def(int(0, 10), ROUTING_DEFAULTS.retries),
  backoff_ms: def(int(0, HOUR_MS), ROUTING_DEFAULTS.backoffMs),
  max_backoff_ms: def(int(0, HOUR_MS), ROUTING_DEFAULTS.maxBackoffMs),
  breaker: def(BREAKER, {}),
});

/** `upstreams[].routing`: any key of `routing`, overriding it for this upstream. */
export const ROUTING_OVERRIDE = record({
  retries: opt(int(0, 10)),
  backoff_ms: opt(int(0, HOUR_MS)),
  max_backoff_ms: opt(int(0, HOUR_MS)),
  breaker: opt(record({ failures: opt(int(0, 1_000)), cooldown_ms: opt(int(1, HOUR_MS)) })),
});

/** `upstreams[].pool`. */
export const POOL: Field<PoolConfig> = record({
  max_idle_per_host: def(int(0, 10_000), ROUTING_DEFAULTS.pool.maxIdlePerHost),
  idle_timeout_ms: def(int(0, HOUR_MS), ROUTING_DEFAULTS.pool.idleTimeoutMs),
});

const RESERVED_HEADERS = new Set([
  "authorization",
  "api-key",
  "x-api-key",
  "host",
  "content-length",
  "connection",
  "transfer-encoding",
]);

/** `upstreams[].headers`: extra request headers (plain values, never secrets; auth headers refused). */
export const HEADERS: Field<Record<string, string>> = refine(
  mapping(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "an HTTP header name", str(/^[^\r\n]*$/, "a header value")),
  (entries, path, issues) => {
    const out: Record<string, string> = {};
    for (const [name, value] of entries) {
      const lower = name.toLowerCase();
      if (RESERVED_HEADERS.has(lower)) {
        issues.fail(child(path, name), "is set by the gateway, expected another header name");
      }
      out[lower] = value;
    }
    return out;
  },
);

/** Auth of an `openai` upstream; default none. */
export const OPENAI_AUTH = tagged<OpenAIAuthConfig>("type", {
  bearer: record({ type: oneOf(["bearer"]), key: secret() }),
  none: record({ type: oneOf(["none"]) }),
});

/** Auth of an `anthropic` upstream. */
export const ANTHROPIC_AUTH = tagged<AnthropicAuthConfig>("type", {
  api_key: record({ type: oneOf(["api_key"]), key: secret() }),
});

const MODEL_NAME = str(/^\S+$/, "a model name without spaces");

const TARGET = refine(
  record({
    upstream: str(/^[a-z0-9_-]+$/, "an upstream name"),
    deployment: opt(MODEL_NAME),
    model: opt(MODEL_NAME),
    weight: def(int(0, 1_000_000), 1),
    priority: def(int(0, 1_000), 0),
  }),
  (t, path, issues) => {
    if ((t.deployment === undefined) === (t.model === undefined)) {
      const got = t.deployment === undefined ? "neither" : "both";
      return issues.fail<ModelConfig["targets"][number]>(
        path,
        `expected exactly one of "deployment" or "model", got ${got}`,
      );
    }
    return {
      upstream: t.upstream,
      deployment: (t.deployment ?? t.model)!,
      weight: t.weight,
      priority: t.priority,
    };
  },
);

const MODEL = record({
  strategy: def(oneOf(["priority", "weighted", "least_inflight"]), "priority"),
  targets: list(TARGET, 1, "targets"),
  aliases: def(list(MODEL_NAME), []),
});

/** The top-level `models` map, as a list in document order. */
export const MODELS: Field<ModelConfig[]> = refine(
  mapping(/^\S+$/, "a model name without spaces", MODEL),
  (entries) => entries.map(([name, m]) => ({ name, ...m })),
);

/**
 * Rules spanning `models` and `upstreams`: targets name existing upstreams, public names are unique
 * across models, aliases and deployments, and every upstream is reachable (deployments or a target).
 */
export function routingChecks(
  ups: (UpstreamConfig | undefined)[],
  models: (ModelConfig | undefined)[],
  issues: Issues,
  options: { invalidNames?: readonly unknown[] } = {},
): void {
  const names = ups.flatMap((u) => u?.name === undefined ? [] : [u.name]);
  // Upstreams that failed their own checks already have an issue; a target naming one is not another.
  const invalid = new Set(options.invalidNames ?? []);
  const targeted = new Set<string>();
  const publicAt = new Map<string, string>();
  ups.forEach((u, i) =>
    (u?.deployments ?? []).forEach((d, j) => {
      for (const n of [d?.model, ...(d?.aliases ?? [])]) {
        if (n !== undefined && !publicAt.has(n)) publicAt.set(n, `upstreams[${i}].deployments[${j}]`);
      }
    })
  );
  for (const m of models) {
    if (m?.name === undefined) continue;
    const at = child("models", m.name);
    (m.targets ?? []).forEach((t, i) => {
      if (t?.upstream === undefined) return;
      targeted.add(t.upstream);
      if (!names.includes(t.upstream) && !invalid.has(t.upstream)) {
        issues.fail(
          child(child(at, "targets") + `[${i}]`, "upstream"),
          `unknown upstream ${JSON.stringify(t.upstream)}, ` +
            (names.length === 0
              ? "and no upstream is valid yet (fix the upstreams entries first)"
              : `expected one of ${names.map((n) => JSON.stringify(n)).join(", ")}`),
        );
      }
    });
    const own = [[m.name, at], ...(m.aliases ?? []).map((a, k) => [a, `${at}.aliases[${k}]`])] as const;
    for (const [name, path] of own) {
      const earlier = publicAt.get(name);
      if (earlier === undefined) publicAt.set(name, at);
      else {issues.fail(
          path,
          `duplicate public model name ${JSON.stringify(name)}, already used at ${earlier}`,
        );}
    }
  }
  ups.forEach((u, i) => {
    if (u?.deployments !== undefined && u.deployments.length === 0 && !targeted.has(u.name)) {
      issues.fail(
        `upstreams[${i}].deployments`,
        "expected at least 1 entry, got 0 (or a models entry that targets this upstream)",
      );
    }
  });
}

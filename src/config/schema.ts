/**
 * The configuration schema: tables of field readers for every YAML key, plus the rules that span entries
 * (unique names). `validateConfig()` reports every problem at once, each with its key path.
 */
import { ConfigError } from "../core/errors.ts";
import {
  bool,
  child,
  def,
  type Field,
  hidden,
  int,
  Issues,
  list,
  oneOf,
  opt,
  record,
  refine,
  str,
  tagged,
  unique,
} from "./schema_helpers.ts";
import { hasNestedQuantifier } from "./regex_safety.ts";
import { describeBadRef, isSecretRef, SECRET_REF_EXPECTED } from "./secrets.ts";
import {
  ANTHROPIC_AUTH,
  HEADERS,
  MODELS,
  OPENAI_AUTH,
  POOL,
  ROUTING,
  ROUTING_DEFAULTS,
  ROUTING_OVERRIDE,
  routingChecks,
} from "./schema_routing.ts";
import { MANAGE, POLICY } from "./schema_manage.ts";
import { SECRETS } from "./schema_secrets.ts";
import { BUDGET, PRICING } from "./schema_cost.ts";
import { EVENTS, eventsChecks } from "./schema_events.ts";
import { SHARED } from "./schema_shared.ts";
import type {
  AzureAuthConfig,
  CallerKeyConfig,
  Config,
  DeploymentConfig,
  LogsConfig,
  UpstreamConfig,
} from "./types.ts";

/** Defaults shared by the validator and the embedded config. */
export const DEFAULTS = {
  host: "127.0.0.1",
  port: 8787,
  maxBodyBytes: 10 * 1024 * 1024,
  dataDir: "./.azmw",
  timezone: "UTC",
  shutdownGraceMs: 30_000,
  headerTimeoutMs: 30_000,
  bodyIdleTimeoutMs: 30_000,
  maxBufferedBodyBytes: 256 * 1024 * 1024,
  maxConnections: 10_000,
  apiVersion: "2024-10-21",
  entraScope: "https://cognitiveservices.azure.com/.default",
  timeouts: { firstByteMs: 60_000, idleMs: 60_000, totalMs: 600_000 },
  logs: {
    dir: "./.azmw/logs", // <data_dir>/logs of the default data dir
    maxBodyBytes: 64 * 1024,
    retentionDays: 30,
    rotateBytes: 100 * 1024 * 1024,
    queueSize: 10_000,
    queueBytes: 64 * 1024 * 1024,
    batchSize: 256,
    flushIntervalMs: 2,
    fsyncIntervalMs: 5_000,
    thread: true,
    builtin: ["email", "phone", "iban", "credit_card", "api_key"],
  },
} as const;

/** Options of `validateConfig()`. */
export interface ValidateOptions {
  /** Host name for the default `server.instance` (default `Deno.hostname()`). */
  hostname?: () => string;
}

const DAY_MS = 86_400_000;
const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];

const secret = (): Field<string> => hidden({ test: isSecretRef }, SECRET_REF_EXPECTED, describeBadRef);

const noSpaces = (what: string) => str(/^\S+$/, `${what} without spaces`);

const timezone = refine(str(), (tz, path, issues) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return tz;
  } catch {
    return issues.fail<string>(
      path,
      `expected an IANA time zone such as "Europe/Berlin", got ${JSON.stringify(tz)}`,
    );
  }
});

const ENDPOINT_EXPECTED = "an https URL (http only for localhost, 127.0.0.1 or ::1)";
const endpoint = refine(str(/\S/, ENDPOINT_EXPECTED), (text, path, issues) => {
  const url = URL.parse(text);
  if (url !== null && (url.username || url.password || url.search || url.hash)) {
    // User info and query strings can carry keys, so the value is not echoed; the origin is safe to show.
    return issues.fail<string>(
      path,
      `expected ${ENDPOINT_EXPECTED}, got a URL with user info, a query or a fragment: write ` +
        `"${url.origin}" (api-version goes under api_version, the key under auth)`,
    );
  }
  const ok = url?.protocol === "https:" || (url?.protocol === "http:" && LOOPBACK.includes(url.hostname));
  if (!ok) return issues.fail<string>(path, `expected ${ENDPOINT_EXPECTED}, got ${JSON.stringify(text)}`);
  const at = url.pathname.search(/\/openai(\/|$)/i);
  if (at !== -1) {
    // A URL copied from the portal or a request: the gateway appends /openai/... itself.
    const base = `${url.origin}${url.pathname.slice(0, at)}`;
    return issues.fail<string>(
      path,
      `expected the resource URL without the API path, got ${JSON.stringify(text)}: write "${base}" ` +
        `(the gateway adds /openai/deployments/... itself; list the deployment under deployments)`,
    );
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
});

function realDate(v: string): boolean {
  const [y, m, d] = [Number(v.slice(0, 4)), Number(v.slice(5, 7)), Number(v.slice(8, 10))];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const SERVER = record({
  host: def(noSpaces("a host name or IP address"), DEFAULTS.host),
  port: def(int(1, 65535), DEFAULTS.port),
  max_body_bytes: def(int(1, 2 ** 30), DEFAULTS.maxBodyBytes),
  data_dir: def(str(), DEFAULTS.dataDir),
  timezone: def(timezone, DEFAULTS.timezone),
  instance: opt(str(/^[A-Za-z0-9_-]{1,64}$/, "up to 64 letters, digits, _ or -")),
  shutdown_grace_ms: def(int(0, 3_600_000), DEFAULTS.shutdownGraceMs),
  header_timeout_ms: def(int(100, 3_600_000), DEFAULTS.headerTimeoutMs),
  body_idle_timeout_ms: def(int(100, 3_600_000), DEFAULTS.bodyIdleTimeoutMs),
  // Default: DEFAULTS.maxBufferedBodyBytes, or max_body_bytes when that is larger (see validateConfig).
  max_buffered_body_bytes: opt(int(1, 2 ** 40)),
  max_connections: def(int(1, 1_000_000), DEFAULTS.maxConnections),
});

const CALLER_KEY = refine(
  record({
    id: str(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "an id of letters, digits, _, . or -"),
    key: opt(secret()),
    sha256: opt(hidden(
      /^[0-9a-fA-F]{64}$/,
      "a SHA-256 digest of 64 hex digits",
      (s) => `a string of ${s.length} characters`,
      (s) => s.toLowerCase(),
    )),
    project: opt(noSpaces("a project name")),
  }),
  (key, path, issues): CallerKeyConfig => {
    if ((key.key === undefined) === (key.sha256 === undefined)) {
      const got = key.key === undefined ? "neither" : "both";
      return issues.fail(path, `expected exactly one of "key" or "sha256", got ${got}`);
    }
    return key;
  },
);

const AUTH = record({
  required: def(bool(), true),
  keys: def(list(CALLER_KEY), []),
  allow_unauthenticated_public: opt(bool()),
});

/** Whether `host` only accepts local clients. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * The refusal for a gateway that would accept anonymous calls from the network (null when fine):
 * `auth.required: false` on a host other than loopback needs `auth.allow_unauthenticated_public: true`.
 */
export function unauthenticatedPublic(
  config: { server: { host: string }; auth: { required: boolean; allowUnauthenticatedPublic?: boolean } },
): string | null {
  const { server, auth } = config;
  if (auth.required || auth.allowUnauthenticatedPublic === true || isLoopbackHost(server.host)) return null;
  return `auth.required is false while server.host is ${
    JSON.stringify(server.host)
  }, which is not loopback: ` +
    "anyone who reaches the port could call the upstreams on your credentials. Set auth.required: true, " +
    "or listen on 127.0.0.1, or set auth.allow_unauthenticated_public: true to accept this";
}

const ENTRA = refine(
  record({
    type: oneOf(["entra"]),
    credential: def(oneOf(["default", "managed_identity", "client_secret", "azure_cli"]), "default"),
    tenant_id: opt(str()),
    client_id: opt(str()),
    client_secret: opt(secret()),
    scope: def(str(), DEFAULTS.entraScope),
  }),
  (auth, path, issues): AzureAuthConfig => {
    const given = { tenant_id: auth.tenantId, client_id: auth.clientId, client_secret: auth.clientSecret };
    if (auth.credential === "client_secret") {
      for (const [key, value] of Object.entries(given)) {
        if (value === undefined) issues.fail(child(path, key), 'required when credential is "client_secret"');
      }
    } else if (auth.clientSecret !== undefined) {
      issues.fail(child(path, "client_secret"), 'only used when credential is "client_secret"');
    }
    return auth;
  },
);

const AZURE_AUTH = tagged<AzureAuthConfig>("type", {
  api_key: record({ type: oneOf(["api_key"]), key: secret() }),
  entra: ENTRA,
});

const DEPLOYMENT_NAME = str(
  /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
  "a deployment name of letters, digits, ., _ or -",
);
/** Deployments written as a bare string: their issues sit on the list entry, which has no `name` key. */
const BARE = new WeakSet<DeploymentConfig>();
/** A deployment entry whose `name` (the upstream-side name) is read by `nameField`. */
const deployment = (nameField: Field<string>): Field<DeploymentConfig> => {
  const full = record({
    name: nameField,
    model: opt(noSpaces("a model name")),
    aliases: def(list(noSpaces("a model name")), []),
  });
  return {
    expected: "a deployment name or mapping",
    read(value, path, issues) {
      if (typeof value !== "string") {
        const d = full.read(value, path, issues);
        return d && { name: d.name, model: d.model ?? d.name, aliases: d.aliases };
      }
      const bare = { name: nameField.read(value, path, issues), model: value, aliases: [] };
      BARE.add(bare);
      return bare;
    },
  };
};
const DEPLOYMENT = deployment(DEPLOYMENT_NAME);
/** OpenAI-compatible and Anthropic model ids may hold `:` and `/` (`llama3.1:8b`, `meta-llama/llama-3`). */
const MODEL_ID = deployment(noSpaces("a model id"));

const TIMEOUTS = record({
  first_byte_ms: def(int(0, DAY_MS), DEFAULTS.timeouts.firstByteMs),
  idle_ms: def(int(0, DAY_MS), DEFAULTS.timeouts.idleMs),
  total_ms: def(int(0, DAY_MS), DEFAULTS.timeouts.totalMs),
});

/** What every upstream kind has; deployments may be empty when a `models` entry targets the upstream. */
const UPSTREAM_BASE = {
  name: str(/^[a-z0-9_-]+$/, "a name of a-z0-9_-"),
  deployments: def(list(MODEL_ID), []),
  timeouts: def(TIMEOUTS, {}),
  pool: opt(POOL),
  routing: opt(ROUTING_OVERRIDE),
};

/** Like `endpoint`, but plain http is fine for any host (local model servers) unless a key is sent. */
const baseUrl = (fallback: string) =>
  def(
    refine(str(/\S/, "an http or https URL"), (text, path, issues) => {
      const url = URL.parse(text);
      if (url === null || (url.protocol !== "https:" && url.protocol !== "http:")) {
        return issues.fail<string>(path, `expected an http or https URL, got ${JSON.stringify(text)}`);
      }
      if (url.username || url.password || url.search || url.hash) {
        return issues.fail<string>(path, "expected a URL without user info, query or fragment");
      }
      return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
    }),
    fallback,
  );

const UPSTREAM = tagged<UpstreamConfig>("kind", {
  azure: record({
    ...UPSTREAM_BASE,
    deployments: def(list(DEPLOYMENT), []),
    kind: oneOf(["azure"]),
    endpoint,
    api_version: def(
      refine(
        str(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'a date "YYYY-MM-DD" or "YYYY-MM-DD-preview"'),
        (v, path, issues) =>
          realDate(v)
            ? v
            : issues.fail<string>(path, `expected a date that exists, got ${JSON.stringify(v)}`),
      ),
      DEFAULTS.apiVersion,
    ),
    auth: AZURE_AUTH,
  }),
  openai: refine(
    record({
      ...UPSTREAM_BASE,
      kind: oneOf(["openai"]),
      base_url: baseUrl(ROUTING_DEFAULTS.openaiBaseUrl),
      auth: def(OPENAI_AUTH, { type: "none" }),
      headers: def(HEADERS, {}),
      stream_usage: def(bool(), true),
    }),
    ({ baseUrl, ...u }, path, issues): UpstreamConfig => {
      const url = new URL(baseUrl);
      if (u.auth.type === "bearer" && url.protocol === "http:" && !LOOPBACK.includes(url.hostname)) {
        issues.fail(
          child(path, "base_url"),
          `expected ${ENDPOINT_EXPECTED} when a key is sent, got "${baseUrl}"`,
        );
      }
      return { ...u, endpoint: baseUrl };
    },
  ),
  anthropic: refine(
    record({
      ...UPSTREAM_BASE,
      kind: oneOf(["anthropic"]),
      base_url: def(endpoint, ROUTING_DEFAULTS.anthropicBaseUrl),
      auth: ANTHROPIC_AUTH,
      anthropic_version: def(
        str(/^\d{4}-\d{2}-\d{2}$/, 'a date "YYYY-MM-DD"'),
        ROUTING_DEFAULTS.anthropicVersion,
      ),
      default_max_tokens: def(int(1, 1_000_000), ROUTING_DEFAULTS.defaultMaxTokens),
      headers: def(HEADERS, {}),
    }),
    ({ baseUrl, ...u }): UpstreamConfig => ({ ...u, endpoint: baseUrl }),
  ),
});

const KEY_ID = str(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "an id of letters, digits, _, . or -");
const LOG_KEY = record({ id: opt(KEY_ID), key: secret() });

const regexSource = refine(str(), (source, path, issues) => {
  try {
    new RegExp(source, "g");
    if (hasNestedQuantifier(source)) {
      return issues.fail<string>(
        path,
        'expected a regular expression without a repeated group that itself repeats (such as "(a+)+"): ' +
          "it can take exponential time on a few dozen characters",
      );
    }
    return source;
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^Invalid regular expression: /, "") : err;
    return issues.fail<string>(path, `expected a regular expression, got an invalid one (${reason})`);
  }
});

const REDACT_RULE = record({
  pattern: regexSource,
  flags: def(str(/^(?!.*(.).*\1)[imsu]*$/, 'RegExp flags from "imsu", each at most once'), ""),
  replacement: def(hidden({ test: () => true }, "a string", () => ""), "[REDACTED]"),
});

/** `messages[*].content`, `$.user`, `input[0]`, `*.secret`. */
const JSON_PATH = str(
  /^(\$\.)?(\*|[A-Za-z0-9_-]+)(\.(\*|[A-Za-z0-9_-]+)|\[(\*|\d+)\])*$/,
  'a JSON path such as "messages[*].content" or "$.user"',
);

const REDACT = record({
  builtin: def(list(oneOf(DEFAULTS.logs.builtin)), DEFAULTS.logs.builtin),
  rules: def(list(REDACT_RULE), []),
  drop_paths: def(list(JSON_PATH), []),
});

const LOGS = record({
  dir: opt(str()),
  bodies: def(bool(), true),
  keys: def(list(LOG_KEY), []),
  max_body_bytes: def(int(1, 2 ** 30), DEFAULTS.logs.maxBodyBytes),
  retention_days: def(int(0, 36_500), DEFAULTS.logs.retentionDays),
  rotate_bytes: def(int(0, 2 ** 40), DEFAULTS.logs.rotateBytes),
  queue_size: def(int(1, 10_000_000), DEFAULTS.logs.queueSize),
  queue_bytes: def(int(1, 2 ** 40), DEFAULTS.logs.queueBytes),
  batch_size: def(int(1, 100_000), DEFAULTS.logs.batchSize),
  flush_interval_ms: def(int(1, 3_600_000), DEFAULTS.logs.flushIntervalMs),
  fsync_interval_ms: def(int(0, DAY_MS), DEFAULTS.logs.fsyncIntervalMs),
  thread: def(bool(), DEFAULTS.logs.thread),
  redact: def(REDACT, {}),
  projects: def(
    list(record({ name: noSpaces("a project name"), bodies: opt(bool()), keys: def(list(LOG_KEY), []) })),
    [],
  ),
  callers: def(list(record({ key_id: KEY_ID, bodies: bool() })), []),
});

const ROOT = record({
  server: def(SERVER, {}),
  auth: def(AUTH, {}),
  upstreams: list(UPSTREAM, 1, "upstreams"),
  models: def(MODELS, {}),
  routing: def(ROUTING, {}),
  logs: def(LOGS, {}),
  manage: def(MANAGE, {}),
  policy: def(POLICY, {}),
  pricing: def(PRICING, {}),
  budget: def(BUDGET, {}),
  shared: def(SHARED, {}),
  secrets: def(SECRETS, {}),
  events: def(EVENTS, {}),
});

/** Turns a parsed YAML document into a `Config` with every default filled, or throws one `ConfigError`. */
export function validateConfig(raw: unknown, source: string, options: ValidateOptions = {}): Config {
  const issues = new Issues();
  const root = ROOT.read(raw, "", issues);
  if (root !== undefined) {
    crossChecks(root.auth?.keys ?? [], root.upstreams ?? [], issues);
    routingChecks(root.upstreams ?? [], root.models ?? [], issues, {
      invalidNames: invalidUpstreamNames(raw),
    });
    if (root.logs !== undefined) logsChecks(root.logs, issues);
    if (root.server !== undefined) serverChecks(root.server, issues);
    eventsChecks(root.events, root.shared, issues);
    if (root.server !== undefined && root.auth !== undefined) {
      const refusal = unauthenticatedPublic({ server: root.server, auth: root.auth });
      if (refusal !== null) issues.fail("auth.required", refusal);
    }
  }
  if (issues.list.length > 0) throw new ConfigError(issues.list, source);
  const instance = root.server.instance ?? defaultInstance(options.hostname);
  // Request logs belong to the data dir unless placed elsewhere: two gateways with their own data dirs
  // never share (and rebuild spend from) each other's files.
  const { dir, ...logs } = root.logs;
  return {
    server: {
      ...root.server,
      instance,
      maxBufferedBodyBytes: root.server.maxBufferedBodyBytes ??
        Math.max(DEFAULTS.maxBufferedBodyBytes, root.server.maxBodyBytes),
    },
    auth: root.auth,
    upstreams: root.upstreams,
    models: root.models,
    routing: root.routing,
    logs: dir === undefined
      ? { ...logs, dir: logsDirOf(root.server.dataDir), dirFromDataDir: true }
      : { ...logs, dir },
    manage: root.manage,
    policy: root.policy,
    pricing: root.pricing,
    budget: root.budget,
    shared: root.shared,
    secrets: root.secrets,
    events: root.events,
    source,
  };
}

/** The `name` of every upstreams entry as written: those that did not validate have issues of their own. */
function invalidUpstreamNames(raw: unknown): unknown[] {
  const list = (raw as { upstreams?: unknown } | null)?.upstreams;
  if (!Array.isArray(list)) return [];
  return list.map((u) => (u as { name?: unknown } | null)?.name).filter((n) => typeof n === "string");
}

/** A body the server accepts always fits in its body budget (when one is set; the default follows it). */
function serverChecks(server: { maxBodyBytes?: number; maxBufferedBodyBytes?: number }, issues: Issues) {
  const { maxBodyBytes, maxBufferedBodyBytes } = server;
  if (
    maxBodyBytes !== undefined && maxBufferedBodyBytes !== undefined && maxBufferedBodyBytes < maxBodyBytes
  ) {
    issues.fail(
      "server.max_buffered_body_bytes",
      `must be at least server.max_body_bytes (${maxBodyBytes}), or a body that size could never be read`,
    );
  }
}

/** Unique log key ids (global and per project), project names and caller key ids in `logs`. */
function logsChecks(logs: Partial<LogsConfig>, issues: Issues) {
  const keyIds = (logs.keys ?? []).map((k, i) => ({ value: k?.id, path: `logs.keys[${i}].id` }));
  (logs.projects ?? []).forEach((p, i) =>
    (p?.keys ?? []).forEach((k, j) =>
      keyIds.push({ value: k?.id, path: `logs.projects[${i}].keys[${j}].id` })
    )
  );
  unique(issues, keyIds, "log key id");
  const projects = (logs.projects ?? []).map((p, i) => ({
    value: p?.name,
    path: `logs.projects[${i}].name`,
  }));
  unique(issues, projects, "project");
  const callers = (logs.callers ?? []).map((c, i) => ({
    value: c?.keyId,
    path: `logs.callers[${i}].key_id`,
  }));
  unique(issues, callers, "caller key id");
}

/**
 * Rules spanning entries: unique key ids, upstream names, deployment names and public model names.
 * Entries may hold `undefined` where a read failed, hence the defensive `?.` and `??`.
 */
function crossChecks(
  keys: (CallerKeyConfig | undefined)[],
  ups: (UpstreamConfig | undefined)[],
  issues: Issues,
) {
  unique(issues, keys.map((k, i) => ({ value: k?.id, path: `auth.keys[${i}].id` })), "caller key id");
  unique(issues, ups.map((u, i) => ({ value: u?.name, path: `upstreams[${i}].name` })), "upstream name");
  const deployments = ups.flatMap((u, i) =>
    (u?.deployments ?? []).flatMap((d, j) =>
      d?.name === undefined ? [] : [{ d, path: `upstreams[${i}].deployments[${j}]` }]
    )
  );
  const namePath = (d: DeploymentConfig, path: string) => BARE.has(d) ? path : `${path}.name`;
  unique(
    issues,
    deployments.map(({ d, path }) => ({ value: d.name, path: namePath(d, path) })),
    "deployment name",
  );
  const deploymentAt = new Map<string, string>();
  for (const { d, path } of deployments) if (!deploymentAt.has(d.name)) deploymentAt.set(d.name, path);
  const publicAt = new Map<string, string>();
  for (const { d, path } of deployments) {
    const modelAt = BARE.has(d) ? path : d.model === d.name ? `${path}.name` : `${path}.model`;
    const names = [
      [d.model, modelAt],
      ...(d.aliases ?? []).map((a, k) => [a, `${path}.aliases[${k}]`]),
    ] as const;
    for (const [name, at] of names) {
      // Deployment names are looked up before public names, so another deployment's name shadows this one.
      const other = deploymentAt.get(name);
      const earlier = publicAt.get(name) ?? (other !== path ? other : undefined);
      if (earlier === undefined) publicAt.set(name, path);
      else issues.fail(at, `duplicate public model name ${JSON.stringify(name)}, already used at ${earlier}`);
    }
  }
}

/** The `logs` section of a config that has none: bodies on, no keys (so a key must be added to start). */
export function defaultLogsConfig(): LogsConfig {
  const d = DEFAULTS.logs;
  return {
    dir: d.dir,
    dirFromDataDir: true,
    bodies: true,
    keys: [],
    maxBodyBytes: d.maxBodyBytes,
    retentionDays: d.retentionDays,
    rotateBytes: d.rotateBytes,
    queueSize: d.queueSize,
    queueBytes: d.queueBytes,
    batchSize: d.batchSize,
    flushIntervalMs: d.flushIntervalMs,
    fsyncIntervalMs: d.fsyncIntervalMs,
    thread: d.thread,
    redact: { builtin: [...d.builtin], rules: [], dropPaths: [] },
    projects: [],
    callers: [],
  };
}

/** The default `logs.dir`: `<data_dir>/logs`. */
export function logsDirOf(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, "")}/logs`;
}

/** `server.instance` default: the host name reduced to `[A-Za-z0-9_-]`. */
export function defaultInstance(hostname: () => string = Deno.hostname): string {
  let name = "";
  try {
    name = hostname();
  } catch {
    // Without --allow-sys the host name is unknown; the fallback keeps log names valid.
  }
  return name.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 64) || "azmw";
}

/**
 * Typed shape of a validated azmw configuration.
 *
 * The YAML file uses snake_case keys; `validateConfig()` in `schema.ts` turns the raw parsed document into
 * this shape (camelCase), filling every default, so the rest of the program never sees a missing value.
 * Secrets stay as unresolved references here (`SecretRef`); `load.ts` resolves them.
 */

/** A secret reference: `env:NAME` or `file:/path` (never the secret itself). */
export type SecretRef = string;

/** Listener and request limits of the gateway. */
export interface ServerConfig {
  host: string;
  port: number;
  /** Largest accepted request body in bytes; bigger bodies get 413. */
  maxBodyBytes: number;
  /** Directory for state (generated keys, pid file, SQLite store). */
  dataDir: string;
  /** IANA time zone that bounds log days and cost days. */
  timezone: string;
  /** Name of this replica, used in log file names. */
  instance: string;
  /** How long a shutdown waits for open calls and streams before it stops anyway. */
  shutdownGraceMs: number;
}

/** A caller key accepted by the gateway: either a secret ref to resolve, or its SHA-256 hex digest. */
export interface CallerKeyConfig {
  id: string;
  /** Secret reference of the key itself (resolved at start, then only its hash is kept). */
  key?: SecretRef;
  /** Lower-case hex SHA-256 digest of the key. */
  sha256?: string;
  project?: string;
}

/** Caller authentication settings. */
export interface AuthConfig {
  /** When false, requests without a key are accepted (only sensible on loopback). */
  required: boolean;
  keys: CallerKeyConfig[];
}

/** Upstream auth for Azure OpenAI: a static key sent as `api-key`, or Entra ID tokens. */
export type AzureAuthConfig =
  | { type: "api_key"; key: SecretRef }
  | {
    type: "entra";
    /** Which @azure/identity credential to build. */
    credential: "default" | "managed_identity" | "client_secret" | "azure_cli";
    tenantId?: string;
    clientId?: string;
    clientSecret?: SecretRef;
    /** Token scope; defaults to `https://cognitiveservices.azure.com/.default`. */
    scope: string;
  };

/** One Azure deployment offered through an upstream. */
export interface DeploymentConfig {
  /** Azure deployment name (the `{deployment}` path segment). */
  name: string;
  /** Public model name used by OpenAI-style clients (defaults to the deployment name). */
  model: string;
  /** More public names that map to this deployment. */
  aliases: string[];
}

/** Timeouts applied to every upstream call, in milliseconds (0 = none). */
export interface TimeoutConfig {
  /** Until response headers arrive. */
  firstByteMs: number;
  /** Longest silence between two body chunks. */
  idleMs: number;
  /** Whole call, body included. */
  totalMs: number;
}

/** An Azure OpenAI resource. */
export interface AzureUpstreamConfig {
  kind: "azure";
  name: string;
  /** Base URL such as `https://my-resource.openai.azure.com` (no trailing slash). */
  endpoint: string;
  /** api-version used when the caller's route carries none (OpenAI-style and v1 routes). */
  apiVersion: string;
  auth: AzureAuthConfig;
  deployments: DeploymentConfig[];
  timeouts: TimeoutConfig;
}

/** Any configured upstream (a discriminated union on `kind`; more kinds come with the providers work). */
export type UpstreamConfig = AzureUpstreamConfig;

/** A request-log sealing key: 32 random bytes in base64, behind a secret reference. */
export interface LogKeyConfig {
  /** Key id written into each sealed field; default: derived from the key (`k` + 8 hex digits). */
  id?: string;
  key: SecretRef;
}

/** Built-in redaction patterns. */
export type BuiltinRedaction = "email" | "phone" | "iban" | "credit_card" | "api_key";

/** A custom redaction rule: every match of `pattern` becomes `replacement`. */
export interface RedactRuleConfig {
  pattern: string;
  /** Extra RegExp flags (`i`, `m`, `s`, `u`); `g` is always on. */
  flags: string;
  replacement: string;
}

/** What is removed from bodies before they are sealed. */
export interface RedactConfig {
  builtin: BuiltinRedaction[];
  rules: RedactRuleConfig[];
  /** JSON paths (`messages[*].content`, `$.user`) whose values are replaced by `"[dropped]"`. */
  dropPaths: string[];
}

/** Per-project logging: its own sealing keys (crypto-shredding) and a body switch. */
export interface LogProjectConfig {
  name: string;
  /** Overrides `logs.bodies` for this project's calls. */
  bodies?: boolean;
  /** The project's own sealing keys, first one active; empty means the global keys. */
  keys: LogKeyConfig[];
}

/** Per-caller-key body switch. */
export interface LogCallerConfig {
  keyId: string;
  bodies: boolean;
}

/** The request log: where and how calls are recorded, sealed, rotated and expired. */
export interface LogsConfig {
  /** Root folder of the day folders (`<dir>/YYYYMMDD/requests-<instance>.jsonl`). */
  dir: string;
  /** Whether request and response bodies are logged (sealed); false logs metadata only. */
  bodies: boolean;
  /** Sealing keys: the first seals, the others still decrypt. */
  keys: LogKeyConfig[];
  /** Largest logged body per field in bytes (after redaction, before compression). */
  maxBodyBytes: number;
  /** Day folders older than this many days are deleted; 0 keeps everything. */
  retentionDays: number;
  /** A log file is continued in the next numbered file past this size; 0 never rotates. */
  rotateBytes: number;
  /** Most records waiting for the writer; more are dropped (and counted). */
  queueSize: number;
  /** Most body bytes held by waiting records; more are dropped (and counted). */
  queueBytes: number;
  /** The writer seals and writes at most this many records per step, and wakes early at this many. */
  batchSize: number;
  flushIntervalMs: number;
  /** How often written data is forced to disk; 0 after every flush. */
  fsyncIntervalMs: number;
  redact: RedactConfig;
  projects: LogProjectConfig[];
  callers: LogCallerConfig[];
}

/** The whole validated configuration. */
export interface Config {
  server: ServerConfig;
  auth: AuthConfig;
  upstreams: UpstreamConfig[];
  logs: LogsConfig;
  /** Where the config came from: a file path, or `"embedded"` for the built-in default. */
  source: string;
}

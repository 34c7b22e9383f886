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
  /** Longest wait for a request head, from connection open or the end of the previous response. */
  headerTimeoutMs: number;
  /** Longest pause while a request body arrives. */
  bodyIdleTimeoutMs: number;
  /**
   * Most bytes of request bodies over 256 KiB held at once; a body that finds no room waits for it (at
   * most `bodyIdleTimeoutMs`), then gets 503. At least `maxBodyBytes`.
   */
  maxBufferedBodyBytes: number;
  /** Open client connections allowed at once; more are answered 503 and closed. */
  maxConnections: number;
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
  /** Accept `required: false` on a host other than loopback (refused otherwise). */
  allowUnauthenticatedPublic?: boolean;
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

/** Connection pool of one upstream (one `Deno.HttpClient` each; connections are kept alive and reused). */
export interface PoolConfig {
  /** Most idle connections kept per host. */
  maxIdlePerHost: number;
  /** An idle connection is closed after this many milliseconds; 0 keeps it open. */
  idleTimeoutMs: number;
}

/** Retry and circuit-breaker settings; each upstream may override any of them. */
export interface RoutingConfig {
  /** Retries per target for retryable failures before falling back to the next target. */
  retries: number;
  /** Base of the exponential backoff (full jitter) between retries. */
  backoffMs: number;
  /** Cap of one backoff, and the longest `Retry-After` the gateway waits for before falling back. */
  maxBackoffMs: number;
  breaker: BreakerConfig;
}

/** Per-target circuit breaker: open after `failures` consecutive failures for `cooldownMs`. */
export interface BreakerConfig {
  /** Consecutive failures that open the breaker; 0 turns it off. */
  failures: number;
  /** How long an open breaker refuses calls before one probe may pass. */
  cooldownMs: number;
}

/** Per-upstream overrides of `routing`. */
export interface RoutingOverride {
  retries?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  breaker?: Partial<BreakerConfig>;
}

/** What every upstream kind has: a name, the deployments (upstream model names) it offers, timeouts. */
export interface UpstreamBaseConfig {
  name: string;
  /**
   * Base URL, no trailing slash: the Azure resource (`endpoint`), or `base_url` of the other kinds —
   * including the version path for OpenAI (`https://api.openai.com/v1`), without it for Anthropic.
   */
  endpoint: string;
  /** Deployments (Azure) or model ids (OpenAI, Anthropic) offered under public names; may be empty. */
  deployments: DeploymentConfig[];
  timeouts: TimeoutConfig;
  /** Connection pool; absent means the defaults. */
  pool?: PoolConfig;
  /** Overrides of the global `routing` settings for this upstream's targets. */
  routing?: RoutingOverride;
}

/** An Azure OpenAI resource. */
export interface AzureUpstreamConfig extends UpstreamBaseConfig {
  kind: "azure";
  /** api-version used when the caller's route carries none (OpenAI-style and v1 routes). */
  apiVersion: string;
  auth: AzureAuthConfig;
}

/** Upstream auth for OpenAI-compatible servers: a bearer key, or none (local servers). */
export type OpenAIAuthConfig = { type: "bearer"; key: SecretRef } | { type: "none" };

/** OpenAI or any OpenAI-compatible server (Ollama, vLLM, LM Studio, OpenRouter). */
export interface OpenAIUpstreamConfig extends UpstreamBaseConfig {
  kind: "openai";
  auth: OpenAIAuthConfig;
  /** Extra request headers (not secrets), e.g. OpenRouter's `HTTP-Referer`. */
  headers: Record<string, string>;
  /** Whether chat streams ask for usage (`stream_options.include_usage`) on the client's behalf. */
  streamUsage: boolean;
}

/** Upstream auth for Anthropic: a key sent as `x-api-key`. */
export type AnthropicAuthConfig = { type: "api_key"; key: SecretRef };

/** The Anthropic Messages API. */
export interface AnthropicUpstreamConfig extends UpstreamBaseConfig {
  kind: "anthropic";
  auth: AnthropicAuthConfig;
  /** `anthropic-version` sent on translated calls and when the client sends none. */
  anthropicVersion: string;
  /** `max_tokens` of a translated chat call that names none (Anthropic requires one). */
  defaultMaxTokens: number;
  /** Extra request headers (not secrets), e.g. `anthropic-beta`. */
  headers: Record<string, string>;
}

/** Any configured upstream: a discriminated union on `kind`. */
export type UpstreamConfig = AzureUpstreamConfig | OpenAIUpstreamConfig | AnthropicUpstreamConfig;

/** How a public model spreads calls over its targets. */
export type RoutingStrategy = "priority" | "weighted" | "least_inflight";

/** One target of a public model: a deployment (or model id) on an upstream. */
export interface ModelTargetConfig {
  upstream: string;
  /** The upstream's deployment name or model id. */
  deployment: string;
  /** Share of calls under `weighted` (0 = only when the others are unavailable). */
  weight: number;
  /** Lower is tried first; equal priorities follow the strategy. */
  priority: number;
}

/** A public model name served by one or more targets, with retries and fallback between them. */
export interface ModelConfig {
  name: string;
  strategy: RoutingStrategy;
  targets: ModelTargetConfig[];
  /** More public names for the same model. */
  aliases: string[];
}

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
  /** Set when `dir` was not configured and is `<server.data_dir>/logs` (it follows `--data-dir`). */
  dirFromDataDir?: boolean;
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
  /** Records per post to the log thread and per write at most; a full batch is posted at once. */
  batchSize: number;
  /**
   * Records are posted to the log thread (which writes each post at once) at most this often, and wait at
   * most this long for a post.
   */
  flushIntervalMs: number;
  /** How often written data is forced to disk; 0 after every flush. */
  fsyncIntervalMs: number;
  /**
   * Seal and write records on a thread of their own (a Worker) rather than on the gateway's thread, after
   * the turn of the event loop that finished the call.
   */
  thread: boolean;
  redact: RedactConfig;
  projects: LogProjectConfig[];
  callers: LogCallerConfig[];
}

/**
 * What a caller may do. The config's `policy` applies to every caller; a project's policy and a key's or
 * token's own policy narrow it (allow lists must all match, the smallest limit wins).
 */
export interface PolicyConfig {
  /** Model name globs (`*`, `?`), e.g. `gpt-4o*`; absent allows every model. */
  models?: string[];
  /** Allowed operations (`chat`, `completions`, `embeddings`, `responses`, `messages`); absent allows all. */
  operations?: string[];
  /** Largest `max_tokens` / `max_completion_tokens` / `max_output_tokens` a request may ask for. */
  maxTokens?: number;
  /** Largest request body in bytes (413 above it). */
  maxBodyBytes?: number;
  /** Requests per minute (per key or token; on a project, shared by all its callers). */
  rpm?: number;
  /** Tokens per minute, counted like `rpm`: estimated at admission, settled to real usage. */
  tpm?: number;
  /** Daily cost cap in EUR (enforced by the cost stage). */
  dailyCostEur?: number;
}

/** The management API and the store of projects, keys, tokens, policies and the audit trail. */
export interface ManageConfig {
  /** Admin management token (read and write); without it and `readerToken`, `/manage` is off. */
  token?: SecretRef;
  /** Read-only management token. */
  readerToken?: SecretRef;
  /** SQLite file of the store; absent means `<server.data_dir>/azmw.db`. */
  store?: string;
  /** How long a resolved caller is cached; a revocation takes effect within this time. */
  cacheTtlMs: number;
}

/** Prices of one model in EUR per 1M tokens; what is left out falls back as documented per field. */
export interface ModelPriceConfig {
  /** Plain (uncached) input tokens. */
  input: number;
  /** Cached input tokens (OpenAI cached tokens, Anthropic cache reads); default `input`. */
  cachedInput?: number;
  /** Output tokens (reasoning tokens included unless `reasoning` is set). */
  output: number;
  /** Reasoning tokens; default `output`. */
  reasoning?: number;
  /** Anthropic cache writes; default 1.25 × `input` (Anthropic's 5-minute write rate). */
  cacheWrite?: number;
  /** Anthropic 1-hour cache writes; default 2 × `input`. */
  cacheWrite1h?: number;
  /** Prices of every token of a call whose prompt exceeds `above` tokens (long-context tier). */
  longContext?: LongContextPriceConfig;
  /** Prices of calls the provider reports served on a processing tier (`priority`, `flex` …). */
  serviceTiers?: Record<string, TierPriceConfig>;
}

/** Prices of one processing tier of a model, EUR per 1M tokens. */
export interface TierPriceConfig {
  input: number;
  cachedInput?: number;
  output: number;
  cacheWrite?: number;
  cacheWrite1h?: number;
}

/** A long-context tier of a model's prices, EUR per 1M tokens. */
export interface LongContextPriceConfig {
  /** Prompt tokens (cached and cache writes included) above which the tier applies. */
  above: number;
  input: number;
  cachedInput?: number;
  output: number;
  cacheWrite?: number;
  cacheWrite1h?: number;
}

/** The price table: shipped defaults (unless `defaults` is false) overridden by `models`. */
export interface PricingConfig {
  currency: "EUR";
  /** Date the configured prices were checked (`YYYY-MM-DD`), shown in reports. */
  asOf?: string;
  /** Whether the shipped price table is used under `models`. */
  defaults: boolean;
  /** Prices by model or deployment name, or glob (`*`, `?`); the most specific match wins. */
  models: Record<string, ModelPriceConfig>;
  /** Price of a model found nowhere in the table (a warning is logged once per model). */
  fallback: ModelPriceConfig;
}

/** Where budget alerts are posted (JSON). */
export interface BudgetWebhookConfig {
  /** An https URL, or a secret reference to one (chat webhook URLs are secrets). */
  url: string;
  /** Extra request headers; values may be secret references (required for auth-like names). */
  headers: Record<string, string>;
}

/** Route a model to a cheaper one once a daily cap is used up to `at` (a fraction of it). */
export interface DownshiftConfig {
  at: number;
  /** Requested model → substitute. */
  models: Record<string, string>;
}

/** Daily cost caps, alerts and downshift. Per project and per key caps are `daily_cost_eur` policies. */
export interface BudgetConfig {
  /** Daily cap of the whole gateway in EUR; absent means none. */
  dailyEur?: number;
  /** Fractions of a cap at which an alert is sent, once per scope and day. */
  alertThresholds: number[];
  webhook?: BudgetWebhookConfig;
  downshift?: DownshiftConfig;
  /** Output tokens reserved at admission when a request names no `max_tokens`. */
  defaultMaxOutputTokens: number;
  /** How output is bounded under a cap when a request names no maximum; absent means the defaults. */
  reserve?: BudgetReserveConfig;
}

/** `budget.reserve`: the output bound of calls that name no maximum while a cap applies. */
export interface BudgetReserveConfig {
  /** Set the upstream's maximum (`max_tokens` …) to the reserved output (default true). */
  enforceMaxTokens: boolean;
  /** Fraction of what is left of the tightest cap one such call may reserve (default 0.01). */
  share: number;
  /** The share rule never reserves fewer output tokens than this, while they fit (default 16). */
  minOutputTokens: number;
}

/** How `kv://` secret references are read (Azure Key Vault) and cached. */
export interface SecretsConfig {
  /** Seconds a Key Vault secret is used before a background refresh. */
  ttlS: number;
  keyVault: {
    credential: "default" | "managed_identity" | "client_secret" | "azure_cli";
    tenantId?: string;
    clientId?: string;
    /** `env:` or `file:` reference of the client secret (credential `client_secret`). */
    clientSecret?: SecretRef;
    /** URL template of a vault, `{vault}` replaced by the vault name. */
    url: string;
  };
}

/** The whole validated configuration. */
export interface Config {
  server: ServerConfig;
  auth: AuthConfig;
  upstreams: UpstreamConfig[];
  /** Public models with several targets; absent in hand-built configs means none. */
  models?: ModelConfig[];
  /** Retry, fallback and breaker defaults; absent in hand-built configs means the defaults. */
  routing?: RoutingConfig;
  logs: LogsConfig;
  /** Management API and store; absent in hand-built configs means the defaults. */
  manage?: ManageConfig;
  /** Default policy of every caller; absent in hand-built configs means no limits. */
  policy?: PolicyConfig;
  /** Price table; absent in hand-built configs means the shipped defaults. */
  pricing?: PricingConfig;
  /** Daily cost caps and alerts; absent in hand-built configs means none. */
  budget?: BudgetConfig;
  /** Key Vault access for `kv://` references; absent in hand-built configs means the defaults. */
  secrets?: SecretsConfig;
  /** Services shared by replicas (Redis: caller limits, the event bus); absent means none. */
  shared?: SharedConfig;
  /** The event bus and its sinks; absent in hand-built configs means no events. */
  events?: EventsConfig;
  /** Where the config came from: a file path, or `"embedded"` for the built-in default. */
  source: string;
}

/** Services that several replicas share (defaults in `SHARED_DEFAULTS`). */
export interface SharedConfig {
  /**
   * `redis://` or `rediss://` URL, or a secret reference to one (a URL may carry a password); makes caller
   * limits exact across replicas. Absent means every limit is local.
   */
  redis?: string;
  /** While Redis cannot be reached: `closed` refuses calls with 503, `open` falls back to local limits. */
  onUnavailable?: "closed" | "open";
  /** Prefix of every Redis key the limits write (several gateways may share one server). */
  prefix?: string;
  /** Longest wait for one Redis round trip before it counts as unavailable. */
  timeoutMs?: number;
}

/** CloudEvents types the gateway emits. */
export type EventType =
  | "azmw.call.completed"
  | "azmw.budget.threshold"
  | "azmw.caller.changed"
  | "azmw.upstream.breaker"
  | "azmw.config.reloaded"
  | "azmw.log.dropped";

/** Queueing, batching and retry of one sink. */
export interface SinkDeliveryConfig {
  /** Sink name (`azmw dispatch --sink NAME`); default its type. */
  name: string;
  /** Event types delivered; absent means all. */
  types?: EventType[];
  /** Most events waiting; more go straight to the dead-letter file. */
  queueSize: number;
  /** Most events per delivery. */
  batchSize: number;
  /** A partial batch is sent after this long. */
  flushIntervalMs: number;
  /** Delivery attempts of a batch before it is dead-lettered. */
  maxAttempts: number;
  /** Base of the exponential backoff (full jitter) between attempts. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Timeout of one HTTP delivery. */
  timeoutMs: number;
}

/** POSTs batches, signed per the Standard Webhooks spec. */
export interface WebhookSinkConfig extends SinkDeliveryConfig {
  type: "webhook";
  /** URL or a secret reference to one. */
  url: string;
  /** Signing secret reference (`whsec_<base64>` or any string); absent sends unsigned. */
  secret?: SecretRef;
  /** Extra headers; values may be secret references. */
  headers: Record<string, string>;
  /** `batch`: CloudEvents batches; `data`: each event's data alone as JSON (the legacy budget webhook). */
  body: "batch" | "data";
}

/** Appends JSONL files rotated by day. */
export interface FileSinkConfig extends SinkDeliveryConfig {
  type: "file";
  /** Folder of `events-YYYYMMDD.jsonl`. */
  path: string;
}

/** OTLP/HTTP JSON logs to a collector. */
export interface OtlpSinkConfig extends SinkDeliveryConfig {
  type: "otlp";
  /** Collector base URL; logs go to `<endpoint>/v1/logs`. */
  endpoint: string;
  headers: Record<string, string>;
}

/** Any event sink. */
export type SinkConfig = WebhookSinkConfig | FileSinkConfig | OtlpSinkConfig;

/** The event bus. */
export interface EventsConfig {
  /** `memory`: sinks run in the gateway; `redis`: events go to a Redis Stream for `azmw dispatch`. */
  bus: "memory" | "redis";
  sinks: SinkConfig[];
  /** Folder of the dead-letter files (`<sink>-YYYYMMDD.jsonl`). */
  deadLetterDir: string;
  /** How often breaker states, log drops and the audit trail are checked for events. */
  watchIntervalMs: number;
  redis: {
    /** Stream keys are `<prefix><instance>`; the set of streams is `<prefix>streams`. */
    prefix: string;
    /** Approximate cap of a stream's length. */
    maxLen: number;
    /** Pending entries of a consumer idle this long are claimed by another dispatcher. */
    claimIdleMs: number;
  };
}

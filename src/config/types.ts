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

/** The whole validated configuration. */
export interface Config {
  server: ServerConfig;
  auth: AuthConfig;
  upstreams: UpstreamConfig[];
  /** Where the config came from: a file path, or `"embedded"` for the built-in default. */
  source: string;
}

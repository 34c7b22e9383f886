/**
 * Secret references: configuration names where a secret lives (`env:NAME`, `file:/path`,
 * `kv://<vault>/<secret>[/<version>]` for Azure Key Vault), never the secret itself. Errors name the
 * variable, file or vault secret, never a value.
 */
import { ConfigError } from "../server/errors.ts";
import type { Config } from "./types.ts";

const ENV_REF = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;
const FILE_REF = /^file:(\S.*)$/;
const KV_REF = /^kv:\/\/[A-Za-z0-9-]{3,24}\/[A-Za-z0-9-]{1,127}(?:\/[0-9a-fA-F]{32})?$/;

/** How a secret reference is described in messages. */
export const SECRET_REF_EXPECTED =
  'a secret reference "env:NAME", "file:/path" or "kv://<vault>/<secret>" (literal secrets are not allowed)';

/** A resolver of references kept outside the process (Azure Key Vault), cached and refreshed by itself. */
export interface ExternalSecrets {
  /** Whether this resolver handles `ref`. */
  handles(ref: string): boolean;
  /** The current value of `ref`; rejects with a message that names the reference, never a value. */
  get(ref: string): Promise<string>;
}

let processExternal: ExternalSecrets | undefined;

/** Sets the external resolver every `resolveSecret()` without its own uses (the serve command's Key Vault). */
export function useExternalSecrets(external: ExternalSecrets | undefined): void {
  processExternal = external;
}

/** Whether `s` is a Key Vault reference. */
export function isKeyVaultRef(s: string): boolean {
  return KV_REF.test(s);
}

/** Where secrets are read from; tests pass fakes. */
export interface SecretDeps {
  /** Reads an environment variable (default `Deno.env.get`). */
  env?: (name: string) => string | undefined;
  /** Reads a file (default `Deno.readTextFile`). */
  readTextFile?: (path: string) => Promise<string>;
  /** Resolves `kv://` references (default: the one set by `useExternalSecrets()`). */
  external?: ExternalSecrets;
}

/** Options of `resolveSecret()`: its deps plus where the reference sits, for the error. */
export interface ResolveSecretOptions extends SecretDeps {
  /** Dotted key path of the reference, e.g. `upstreams[0].auth.key`. */
  path?: string;
  /** Name of the config the reference came from, for the error message. */
  source?: string;
}

/** Whether `s` is a well-formed secret reference (`env:NAME`, `file:/path` or `kv://vault/secret`). */
export function isSecretRef(s: string): boolean {
  return ENV_REF.test(s) || FILE_REF.test(s) || KV_REF.test(s);
}

/** Describes a string that is not a secret reference without repeating it. */
export function describeBadRef(s: string): string {
  return /^(env|file|kv):/.test(s) ? "a malformed reference" : "a literal value";
}

/** Resolves `env:NAME` or `file:/path` (trimmed) to the secret; throws `ConfigError` naming the source. */
export async function resolveSecret(ref: string, options: ResolveSecretOptions = {}): Promise<string> {
  const fail = (message: string) => new ConfigError([{ path: options.path ?? "", message }], options.source);
  const env = ENV_REF.exec(ref);
  if (env) {
    const name = env[1]!;
    const value = (options.env ?? ((n: string) => Deno.env.get(n)))(name);
    if (value === undefined) throw fail(`environment variable "${name}" is not set`);
    if (value.trim() === "") throw fail(`environment variable "${name}" is empty`);
    return value;
  }
  if (KV_REF.test(ref)) {
    const external = options.external ?? processExternal;
    if (!external?.handles(ref)) {
      throw fail(`Key Vault reference "${ref}" cannot be resolved here (no Key Vault set up)`);
    }
    try {
      return await external.get(ref);
    } catch (err) {
      throw fail(
        `cannot read Key Vault secret "${ref}" (${err instanceof Error ? err.message : String(err)})`,
      );
    }
  }
  const file = FILE_REF.exec(ref);
  if (!file) throw fail(`expected ${SECRET_REF_EXPECTED}, got ${describeBadRef(ref)}`);
  const path = file[1]!;
  let text: string;
  try {
    text = await (options.readTextFile ?? Deno.readTextFile)(path);
  } catch (err) {
    const missing = err instanceof Deno.errors.NotFound || (err as { code?: unknown })?.code === "ENOENT";
    throw fail(missing ? `file "${path}" does not exist` : `cannot read file "${path}" (${errorName(err)})`);
  }
  const secret = text.trim();
  if (secret === "") throw fail(`file "${path}" is empty`);
  return secret;
}

/** Every secret reference in a config with its YAML key path, in document order. */
export function secretRefs(cfg: Config): { path: string; ref: string }[] {
  const refs: { path: string; ref: string }[] = [];
  cfg.auth.keys.forEach((k, i) => {
    if (k.key !== undefined) refs.push({ path: `auth.keys[${i}].key`, ref: k.key });
  });
  cfg.upstreams.forEach((u, i) => {
    if ("key" in u.auth) refs.push({ path: `upstreams[${i}].auth.key`, ref: u.auth.key });
    else if ("clientSecret" in u.auth && u.auth.clientSecret !== undefined) {
      refs.push({ path: `upstreams[${i}].auth.client_secret`, ref: u.auth.clientSecret });
    }
  });
  cfg.logs?.keys.forEach((k, i) => refs.push({ path: `logs.keys[${i}].key`, ref: k.key }));
  cfg.logs?.projects.forEach((p, i) =>
    p.keys.forEach((k, j) => refs.push({ path: `logs.projects[${i}].keys[${j}].key`, ref: k.key }))
  );
  const hook = cfg.budget?.webhook;
  if (hook && isSecretRef(hook.url)) refs.push({ path: "budget.webhook.url", ref: hook.url });
  for (const [name, value] of Object.entries(hook?.headers ?? {})) {
    if (isSecretRef(value)) refs.push({ path: `budget.webhook.headers.${name}`, ref: value });
  }
  if (cfg.manage?.token) refs.push({ path: "manage.token", ref: cfg.manage.token });
  if (cfg.manage?.readerToken) refs.push({ path: "manage.reader_token", ref: cfg.manage.readerToken });
  const kvSecret = cfg.secrets?.keyVault.clientSecret;
  if (kvSecret) refs.push({ path: "secrets.key_vault.client_secret", ref: kvSecret });
  if (cfg.shared?.redis && isSecretRef(cfg.shared.redis)) {
    refs.push({ path: "shared.redis", ref: cfg.shared.redis });
  }
  cfg.events?.sinks.forEach((s, i) => {
    const at = `events.sinks[${i}]`;
    const url = s.type === "webhook" ? s.url : s.type === "otlp" ? s.endpoint : "";
    if (isSecretRef(url)) refs.push({ path: `${at}.${s.type === "otlp" ? "endpoint" : "url"}`, ref: url });
    if (s.type === "webhook" && s.secret) refs.push({ path: `${at}.secret`, ref: s.secret });
    if (s.type !== "file") {
      for (const [name, v] of Object.entries(s.headers)) {
        if (isSecretRef(v)) refs.push({ path: `${at}.headers.${name}`, ref: v });
      }
    }
  });
  return refs;
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

/** A secret reference that does not resolve, with what to do about it. */
export interface SecretIssue {
  path: string;
  message: string;
}

/**
 * Resolves every secret reference of `cfg` once and lists each that fails, with its fix, so a start-up
 * reports all of them in one run instead of one per attempt. Values are never returned or printed.
 */
export async function unresolvedSecrets(cfg: Config, deps: SecretDeps = {}): Promise<SecretIssue[]> {
  const issues: SecretIssue[] = [];
  for (const { path, ref } of secretRefs(cfg)) {
    try {
      await resolveSecret(ref, { ...deps, path });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const issue of err.issues) {
        issues.push({ path: issue.path, message: withFix(issue.message, path, ref) });
      }
    }
  }
  return issues;
}

function withFix(message: string, path: string, ref: string): string {
  const logKey = /^logs\.(keys|projects\[\d+\]\.keys)\[\d+\]\.key$/.test(path);
  const what = logKey ? 'a sealing key printed by "azmw logs keygen"' : "the secret";
  const env = ENV_REF.exec(ref);
  if (env) return `${message}: set it to ${what} (export ${env[1]}=...) before starting`;
  const file = FILE_REF.exec(ref);
  if (file && / does not exist$| is empty$/.test(message)) {
    return `${message}: write ${what} to it (readable by the gateway only, mode 0600)`;
  }
  return message;
}

/**
 * Loading a configuration: read the YAML file, parse it (syntax errors with line and column), validate it;
 * the embedded default used when there is no file; and the caller key digests after resolving secrets.
 */
import { sha256Hex } from "../core/sha256.ts";
import { LineCounter, parseDocument } from "yaml";
import { ConfigError } from "../core/errors.ts";
import { defaultInstance, defaultLogsConfig, DEFAULTS, logsDirOf, validateConfig } from "./schema.ts";
import { resolveSecret, type SecretDeps } from "./secrets.ts";
import type { Config, LogsConfig } from "./types.ts";

/** Where a config is read from; tests pass fakes. */
export interface LoadDeps {
  /** Reads the config file (default `Deno.readTextFile`). */
  readTextFile?: (path: string) => Promise<string>;
  /** Host name for the default `server.instance` (default `Deno.hostname()`). */
  hostname?: () => string;
}

/** A caller key reduced to what authentication needs: its digest. */
export interface ResolvedCallerKey {
  id: string;
  /** Lower-case hex SHA-256 of the key. */
  sha256: string;
  project?: string;
}

/** Reads, parses and validates the config file at `path`; every failure is a `ConfigError`. */
export async function loadConfig(path: string, deps: LoadDeps = {}): Promise<Config> {
  let text: string;
  try {
    text = await (deps.readTextFile ?? Deno.readTextFile)(path);
  } catch (err) {
    const reason = err instanceof Deno.errors.NotFound
      ? "the file does not exist"
      : `cannot read the file (${err})`;
    throw new ConfigError([{ path: "", message: reason }], path);
  }
  return parseConfigText(text, path, deps);
}

/** Parses and validates YAML text; `source` names it in messages and becomes `Config.source`. */
export function parseConfigText(text: string, source: string, deps: Pick<LoadDeps, "hostname"> = {}): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return { path: "", message: `invalid YAML at line ${line}, column ${col}: ${e.message}` };
      }),
      source,
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError([{
      path: "",
      message: `invalid YAML: ${err instanceof Error ? err.message : err}`,
    }], source);
  }
  if (raw === null || raw === undefined) {
    throw new ConfigError([{
      path: "",
      message: 'the file is empty, expected a mapping with an "upstreams" list',
    }], source);
  }
  return validateConfig(raw, source, deps);
}

/** The built-in config used when there is no file: one mock upstream and one local caller key. */
export function embeddedConfig(opts: {
  mockUrl: string;
  keySha256: string;
  dataDir?: string;
  port?: number;
  host?: string;
  /** Replica name (default: the sanitised host name). */
  instance?: string;
}): Config {
  return {
    server: {
      host: opts.host ?? DEFAULTS.host,
      port: opts.port ?? DEFAULTS.port,
      maxBodyBytes: DEFAULTS.maxBodyBytes,
      dataDir: opts.dataDir ?? DEFAULTS.dataDir,
      timezone: DEFAULTS.timezone,
      instance: opts.instance ?? defaultInstance(),
      shutdownGraceMs: DEFAULTS.shutdownGraceMs,
      headerTimeoutMs: DEFAULTS.headerTimeoutMs,
      bodyIdleTimeoutMs: DEFAULTS.bodyIdleTimeoutMs,
      maxBufferedBodyBytes: DEFAULTS.maxBufferedBodyBytes,
      maxConnections: DEFAULTS.maxConnections,
    },
    auth: { required: true, keys: [{ id: "local", sha256: opts.keySha256.toLowerCase() }] },
    upstreams: [{
      kind: "azure",
      name: "mock",
      endpoint: opts.mockUrl.replace(/\/+$/, ""),
      apiVersion: DEFAULTS.apiVersion,
      auth: { type: "api_key", key: "env:AZMW_MOCK_UPSTREAM_KEY" },
      deployments: [
        { name: "gpt-4o-mini", model: "gpt-4o-mini", aliases: ["gpt-4o"] },
        { name: "gpt-4.1", model: "gpt-4.1", aliases: [] },
        { name: "text-embedding-3-small", model: "text-embedding-3-small", aliases: [] },
      ],
      timeouts: { ...DEFAULTS.timeouts },
    }],
    logs: embeddedLogs(opts.dataDir ?? DEFAULTS.dataDir),
    source: "embedded",
  };
}

/** Where the embedded default keeps its log sealing key: `<dataDir>/log_key`. */
export function embeddedLogKeyPath(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, "")}/log_key`;
}

/** Logs of the embedded default: bodies sealed with the key `ensureEmbeddedLogKey()` keeps in the data dir. */
function embeddedLogs(dataDir: string): LogsConfig {
  return {
    ...defaultLogsConfig(),
    dir: logsDirOf(dataDir),
    dirFromDataDir: true,
    keys: [{ key: `file:${embeddedLogKeyPath(dataDir)}` }],
  };
}

/** Resolves every caller key to its SHA-256 digest; all unresolvable keys are reported in one `ConfigError`. */
export async function resolveCallerKeys(cfg: Config, deps: SecretDeps = {}): Promise<ResolvedCallerKey[]> {
  const issues: { path: string; message: string }[] = [];
  const keys: ResolvedCallerKey[] = [];
  for (const [i, k] of cfg.auth.keys.entries()) {
    let sha256 = k.sha256;
    if (sha256 === undefined) {
      try {
        const secret = await resolveSecret(k.key ?? "", {
          ...deps,
          path: `auth.keys[${i}].key`,
          source: cfg.source,
        });
        sha256 = sha256Hex(secret);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        issues.push(...err.issues);
        continue;
      }
    }
    keys.push(k.project === undefined ? { id: k.id, sha256 } : { id: k.id, sha256, project: k.project });
  }
  if (issues.length > 0) throw new ConfigError(issues, cfg.source);
  return keys;
}

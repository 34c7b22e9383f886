/**
 * Sealing keys named in the config: every `logs.keys` and `logs.projects[].keys` reference resolved,
 * decoded and imported, with problems reported by key path and never with a key's value.
 */
import { resolveSecret, type SecretDeps } from "../config/secrets.ts";
import type { Config, LogKeyConfig } from "../config/types.ts";
import { ConfigError } from "../core/errors.ts";
import { decodeKeyText, importLogKey, Keyring, type LogKey } from "./keyring.ts";

/** The configured keys: global ones and each project's own (first of each list active). */
export interface ConfiguredKeys {
  global: LogKey[];
  projects: Map<string, LogKey[]>;
}

/** Options of `loadConfiguredKeys()`. */
export interface KeyLoadOptions extends SecretDeps {
  /** Skip keys that do not resolve (reported through `warn`) instead of failing; used by readers. */
  tolerant?: boolean;
  warn?: (message: string) => void;
}

async function loadList(
  list: LogKeyConfig[],
  path: string,
  config: Config,
  options: KeyLoadOptions,
  issues: { path: string; message: string }[],
): Promise<LogKey[]> {
  const keys: LogKey[] = [];
  for (const [i, k] of list.entries()) {
    const at = `${path}[${i}].key`;
    try {
      const text = await resolveSecret(k.key, { ...options, path: at, source: config.source });
      let bytes;
      try {
        bytes = decodeKeyText(text);
      } catch (err) {
        throw new ConfigError([{ path: at, message: (err as Error).message }], config.source);
      }
      keys.push(await importLogKey(bytes, k.id));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      if (!options.tolerant) issues.push(...err.issues);
      else for (const issue of err.issues) options.warn?.(`Skipping log key ${issue.path}: ${issue.message}`);
    }
  }
  return keys;
}

/** Resolves every configured sealing key; one `ConfigError` lists all that fail (unless tolerant). */
export async function loadConfiguredKeys(
  config: Config,
  options: KeyLoadOptions = {},
): Promise<ConfiguredKeys> {
  const issues: { path: string; message: string }[] = [];
  const global = await loadList(config.logs.keys, "logs.keys", config, options, issues);
  const projects = new Map<string, LogKey[]>();
  for (const [i, p] of config.logs.projects.entries()) {
    if (p.keys.length === 0) continue;
    projects.set(p.name, await loadList(p.keys, `logs.projects[${i}].keys`, config, options, issues));
  }
  if (issues.length > 0) throw new ConfigError(issues, config.source);
  try {
    new Keyring([...global, ...[...projects.values()].flat()]);
  } catch (err) {
    throw new ConfigError([{ path: "logs", message: (err as Error).message }], config.source);
  }
  return { global, projects };
}

/** One keyring that opens every configured key's fields (for readers). */
export function openingKeyring(keys: ConfiguredKeys, extra: LogKey[] = []): Keyring {
  return new Keyring([...keys.global, ...[...keys.projects.values()].flat(), ...extra], { sealing: false });
}

/**
 * Configuration: the typed `Config`, its YAML schema and validation (every problem reported at once with
 * its key path), loading from a file or the embedded default, and secret references (`env:NAME`,
 * `file:/path`) resolved only when needed, never logged.
 *
 * ```ts
 * import { loadConfig, resolveCallerKeys } from "./src/config/mod.ts";
 * const config = await loadConfig("config.yaml");
 * const keys = await resolveCallerKeys(config); // [{ id, sha256, project? }]
 * ```
 *
 * @module
 */
export type * from "./types.ts";
export {
  defaultInstance,
  defaultLogsConfig,
  DEFAULTS,
  validateConfig,
  type ValidateOptions,
} from "./schema.ts";
export type { Issue } from "./schema_helpers.ts";
export {
  isSecretRef,
  resolveSecret,
  type ResolveSecretOptions,
  type SecretDeps,
  secretRefs,
} from "./secrets.ts";
export {
  embeddedConfig,
  embeddedLogKeyPath,
  loadConfig,
  type LoadDeps,
  parseConfigText,
  resolveCallerKeys,
  type ResolvedCallerKey,
} from "./load.ts";

/**
 * Which calls have their bodies logged, and under which key: a caller key's switch wins over its project's,
 * which wins over `logs.bodies`; a project with its own keys seals with them (so deleting them shreds its
 * content). A call whose bodies should be logged but that has no key gets metadata only, never plaintext.
 */
import type { Config } from "../config/types.ts";
import type { Caller } from "../core/caller.ts";
import type { LogKey } from "./keyring.ts";
import type { ConfiguredKeys } from "./key_config.ts";

/** Picks the sealing key of each call, or `null` for metadata only. */
export class BodyPolicy {
  readonly #bodies: boolean;
  readonly #callers: Map<string, boolean>;
  readonly #projects: Map<string, boolean | undefined>;
  readonly #projectKeys: Map<string, LogKey>;
  readonly #global: LogKey | null;

  /** Builds the policy from the config and its resolved keys. */
  constructor(config: Config, keys: ConfiguredKeys) {
    this.#bodies = config.logs.bodies;
    this.#callers = new Map(config.logs.callers.map((c) => [c.keyId, c.bodies]));
    this.#projects = new Map(config.logs.projects.map((p) => [p.name, p.bodies]));
    this.#projectKeys = new Map();
    for (const [name, list] of keys.projects) if (list[0]) this.#projectKeys.set(name, list[0]);
    this.#global = keys.global[0] ?? null;
  }

  /** Whether calls of this caller have their bodies logged. */
  bodies(caller: Caller | null): boolean {
    const byKey = caller ? this.#callers.get(caller.keyId) : undefined;
    if (byKey !== undefined) return byKey;
    const byProject = caller?.project ? this.#projects.get(caller.project) : undefined;
    return byProject ?? this.#bodies;
  }

  /** The key that seals this caller's bodies, or `null` when they are not logged. */
  keyFor(caller: Caller | null): LogKey | null {
    if (!this.bodies(caller)) return null;
    return (caller?.project ? this.#projectKeys.get(caller.project) : undefined) ?? this.#global;
  }
}

/**
 * Key paths whose settings log bodies with the global key while there is none; empty when the config is
 * safe to start with.
 */
export function needsGlobalKey(config: Config, keys: ConfiguredKeys): string[] {
  if (keys.global.length > 0) return [];
  const logs = config.logs;
  const owned = (project: string | undefined) => project !== undefined && keys.projects.has(project);
  const needs: string[] = [];
  if (logs.bodies) needs.push("logs.bodies");
  logs.projects.forEach((p, i) => {
    if (p.bodies === true && !owned(p.name)) needs.push(`logs.projects[${i}].bodies`);
  });
  const projectOf = new Map(config.auth.keys.map((k) => [k.id, k.project]));
  logs.callers.forEach((c, i) => {
    if (c.bodies && !owned(projectOf.get(c.keyId))) needs.push(`logs.callers[${i}].bodies`);
  });
  return needs;
}

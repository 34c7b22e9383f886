/**
 * Policies resolved per caller and checked per request. Layers are the config defaults, the project, and
 * the key or token: every layer's allow list must match, and the smallest size limit wins. Rate limits and
 * cost caps stay per scope — a project's RPM is shared by all its callers, a key's is its own.
 */
import type { Policy } from "../store/types.ts";

/** The limits of one scope (`project:demo`, `key:key_…`, `token:tok_…`, `anonymous`). */
export interface LimitScope {
  /** Scope id; also the rate-limit bucket name. */
  readonly id: string;
  readonly rpm: number | null;
  readonly tpm: number | null;
  /** Daily cost cap in EUR of the scope. */
  readonly dailyCostEur: number | null;
}

/** What a caller may do, resolved from every layer. */
export interface ResolvedPolicy {
  /** Model globs of each layer that sets them; a model must match one glob in every list. */
  readonly models: readonly (readonly string[])[];
  /** Allowed operations of each layer that sets them; an operation must be in every list. */
  readonly operations: readonly (readonly string[])[];
  /** Largest output token request, or `null` for none. */
  readonly maxTokens: number | null;
  /** Largest request body in bytes, or `null` for the server's limit. */
  readonly maxBodyBytes: number | null;
  /** The smallest daily cost cap of all scopes (EUR), or `null`; per-scope caps are in `scopes`. */
  readonly dailyCostEur: number | null;
  /** Scopes with at least one rate limit or cost cap, widest (project) first. */
  readonly scopes: readonly LimitScope[];
}

/** Inputs of `resolvePolicy()`. */
export interface PolicyLayers {
  /** The config's `policy` (applies to every caller). */
  defaults?: Policy;
  project?: { name: string; policy: Policy } | null;
  /** The caller's own scope id (`key:…`, `token:…`, `anonymous`) and policy. */
  subject: { scope: string; policy: Policy };
}

/** Merges the layers into one resolved policy (frozen; shared by every request of the caller). */
export function resolvePolicy(layers: PolicyLayers): ResolvedPolicy {
  const defaults = layers.defaults ?? {};
  const project = layers.project ?? null;
  const own = layers.subject.policy;
  const all = [defaults, ...(project ? [project.policy] : []), own];
  const scopes: LimitScope[] = [];
  if (project) pushScope(scopes, `project:${project.name}`, project.policy);
  pushScope(scopes, layers.subject.scope, {
    ...pick(defaults, ["rpm", "tpm", "dailyCostEur"]),
    ...pick(own, ["rpm", "tpm", "dailyCostEur"]),
  });
  const caps = scopes.map((s) => s.dailyCostEur).filter((c) => c !== null);
  return Object.freeze({
    models: Object.freeze(all.flatMap((p) => p.models ? [Object.freeze([...p.models])] : [])),
    operations: Object.freeze(all.flatMap((p) => p.operations ? [Object.freeze([...p.operations])] : [])),
    maxTokens: smallest(all.map((p) => p.maxTokens)),
    maxBodyBytes: smallest(all.map((p) => p.maxBodyBytes)),
    dailyCostEur: caps.length === 0 ? null : Math.min(...caps),
    scopes: Object.freeze(scopes),
  });
}

/** Whether `model` matches a glob (`*` any run of characters, `?` one character; case-sensitive). */
export function matchGlob(glob: string, model: string): boolean {
  let re = GLOBS.get(glob);
  if (re === undefined) {
    const source = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    re = new RegExp(`^${source}$`, "s");
    if (GLOBS.size > 10_000) GLOBS.clear();
    GLOBS.set(glob, re);
  }
  return re.test(model);
}

const GLOBS = new Map<string, RegExp>();

function pushScope(scopes: LimitScope[], id: string, p: Policy): void {
  const scope = { id, rpm: p.rpm ?? null, tpm: p.tpm ?? null, dailyCostEur: p.dailyCostEur ?? null };
  if (scope.rpm !== null || scope.tpm !== null || scope.dailyCostEur !== null) {
    scopes.push(Object.freeze(scope));
  }
}

function pick(p: Policy, keys: ("rpm" | "tpm" | "dailyCostEur")[]): Policy {
  const out: Policy = {};
  for (const k of keys) if (p[k] !== undefined) out[k] = p[k];
  return out;
}

function smallest(values: (number | undefined)[]): number | null {
  const set = values.filter((v) => v !== undefined);
  return set.length === 0 ? null : Math.min(...set);
}

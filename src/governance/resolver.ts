/**
 * The caller resolver: authenticates config keys, store API keys and withering tokens, and attaches the
 * resolved policy. Lookups are cached by key digest, so a hit answers synchronously; an entry is served
 * for at most `cacheTtlMs` (≤ 1 s) and refreshed in the background after half of it, so a disabled key
 * or revoked token stops working within that time while busy keys never wait for the store.
 */
import { timingSafeEqual } from "node:crypto";
import type { CallerKey } from "../pipeline/auth.ts";
import { presentedKey } from "../pipeline/auth.ts";
import { GatewayError } from "../server/errors.ts";
import type { Credential, Policy, Store } from "../store/types.ts";
import { anonymousCaller, type GovernedCaller, governedCaller } from "./caller.ts";
import { digestHex } from "./credentials.ts";
import { TokenUses, type TokenUsesOptions } from "./token_uses.ts";

/** Options of `createCallerResolver()`. */
export interface CallerResolverOptions {
  /** Keys from the config (`auth.keys`, resolved to digests). */
  configKeys?: readonly CallerKey[];
  /** When false, a request without a key is the anonymous caller (`auth.required`). Default true. */
  required?: boolean;
  /** The config's default policy. */
  defaults?: Policy;
  /** Wall clock in ms (expiry and cache age). */
  now?: () => number;
  /** Longest time a lookup is reused; default 1000. */
  cacheTtlMs?: number;
  /** Most cached digests (unknown ones included); default 100000. */
  maxEntries?: number;
  /** How token uses are written to the store. */
  tokenUses?: TokenUsesOptions;
  /**
   * Use counts shared by replicas: `take` answers `true`/`false`, or `null` to let the local count answer.
   * Local counts still go to the store.
   */
  sharedUses?: { take(tokenId: string, max: number | null, floor: number): Promise<boolean | null> };
}

/** The hot-path authenticator plus cache control. */
export interface CallerResolver {
  /** Returns the caller (a promise only on a cache miss) or throws a 401/403/503 `GatewayError`. */
  authenticate(headers: Headers): GovernedCaller | Promise<GovernedCaller>;
  /** Drops every cached lookup (call after a change through the management API). */
  invalidate(): void;
  /** Writes counted token uses to the store; call on shutdown. */
  flush(): Promise<void>;
}

type Outcome =
  | { ok: true; caller: GovernedCaller; expiresAt: number | null; maxRequests: number | null }
  | { ok: false; error: GatewayError };

interface Entry {
  digest: Buffer;
  loadedAt: number;
  refreshing: boolean;
  outcome: Outcome;
}

const INVALID = (): GatewayError => new GatewayError(401, "invalid_api_key", "Invalid API key provided");

/** Builds the caller resolver over `store` (or only config keys when `store` is `null`). */
export function createCallerResolver(
  store: Store | null,
  options: CallerResolverOptions = {},
): CallerResolver {
  const now = options.now ?? Date.now;
  const ttl = options.cacheTtlMs ?? 1_000;
  const maxEntries = options.maxEntries ?? 100_000;
  const defaults = options.defaults ?? {};
  const required = options.required ?? true;
  const anonymous = anonymousCaller(defaults);
  const configKeys = new Map((options.configKeys ?? []).map((k) => [k.sha256.toLowerCase(), k]));
  // Config keys without a project in the store never change: resolved once, answered synchronously.
  const fixed = new Map<string, Entry>();
  for (const [hex, key] of configKeys) {
    if (store !== null && key.project !== undefined) continue;
    const outcome = configOutcome(key, null, defaults);
    fixed.set(hex, { digest: Buffer.from(hex, "hex"), loadedAt: 0, refreshing: false, outcome });
  }
  const uses = new TokenUses(store ?? { addTokenUses: () => Promise.resolve() }, options.tokenUses);
  const cache = new Map<string, Entry>();
  const loading = new Map<string, Promise<Entry>>();
  let generation = 0;

  const lookup = async (hex: string): Promise<Outcome> => {
    const configKey = configKeys.get(hex);
    try {
      if (configKey !== undefined) {
        const project = store && configKey.project ? await store.getProject(configKey.project) : null;
        return configOutcome(configKey, project, defaults);
      }
      if (store === null) return { ok: false, error: INVALID() };
      const found = await store.findCredential(hex);
      if (found?.kind === "token") uses.seed(found.token.id, found.token.requestCount);
      return found === null ? { ok: false, error: INVALID() } : storeOutcome(found, defaults);
    } catch (err) {
      return {
        ok: false,
        error: new GatewayError(503, "store_unavailable", "The gateway cannot check credentials right now", {
          cause: err,
        }),
      };
    }
  };

  const load = (hex: string, digest: Buffer): Promise<Entry> => {
    let pending = loading.get(hex);
    if (pending !== undefined) return pending;
    const started = generation;
    pending = lookup(hex).then((outcome) => {
      if (loading.get(hex) === pending) loading.delete(hex);
      const entry: Entry = { digest, loadedAt: now(), refreshing: false, outcome };
      // A failed store lookup is not cached; neither is a lookup that an invalidation overtook.
      const transient = !outcome.ok && outcome.error.status === 503;
      if (!transient && started === generation) remember(hex, entry);
      return entry;
    });
    loading.set(hex, pending);
    return pending;
  };

  const remember = (hex: string, entry: Entry): void => {
    if (!cache.has(hex) && cache.size >= maxEntries) {
      const t = now();
      for (const [k, e] of cache) if (t - e.loadedAt >= ttl) cache.delete(k);
      // Still full: drop the oldest insertions.
      for (const k of cache.keys()) {
        if (cache.size < maxEntries) break;
        cache.delete(k);
      }
    }
    cache.set(hex, entry);
  };

  const exhausted = (tokenId: string, max: number | null) =>
    new GatewayError(403, "token_exhausted", `Token "${tokenId}" has used all of its ${max} requests`);

  const use = (entry: Entry, digest: Buffer): GovernedCaller | Promise<GovernedCaller> => {
    if (!timingSafeEqual(entry.digest, digest)) throw INVALID();
    const outcome = entry.outcome;
    if (!outcome.ok) throw outcome.error;
    const caller = outcome.caller;
    if (outcome.expiresAt !== null && now() >= outcome.expiresAt) {
      const what = caller.kind === "token" ? "Token" : "API key";
      throw new GatewayError(
        401,
        `expired_${caller.kind === "token" ? "token" : "api_key"}`,
        `${what} has expired`,
      );
    }
    const tokenId = caller.tokenId;
    if (tokenId !== null && options.sharedUses !== undefined) {
      return options.sharedUses.take(tokenId, outcome.maxRequests, uses.count(tokenId)).then((taken) => {
        if (taken === false || !uses.take(tokenId, taken === true ? null : outcome.maxRequests)) {
          throw exhausted(tokenId, outcome.maxRequests);
        }
        return caller;
      });
    }
    if (tokenId !== null && !uses.take(tokenId, outcome.maxRequests)) {
      throw exhausted(tokenId, outcome.maxRequests);
    }
    return caller;
  };

  return {
    authenticate(headers) {
      const presented = presentedKey(headers);
      if (presented === undefined) {
        if (!required) return anonymous;
        throw new GatewayError(
          401,
          "missing_api_key",
          'Missing API key: send it as "Authorization: Bearer <key>", "api-key" or "x-api-key"',
        );
      }
      const hex = digestHex(presented);
      const digest = Buffer.from(hex, "hex");
      const always = fixed.get(hex);
      if (always !== undefined) return use(always, digest);
      const entry = cache.get(hex);
      if (entry !== undefined) {
        const age = now() - entry.loadedAt;
        if (age < ttl) {
          if (age >= ttl / 2 && !entry.refreshing) {
            entry.refreshing = true;
            load(hex, digest).catch(() => {});
          }
          return use(entry, digest);
        }
      }
      return load(hex, digest).then((e) => use(e, digest));
    },
    invalidate() {
      generation++;
      cache.clear();
      loading.clear();
    },
    flush: () => uses.flush(),
  };
}

function configOutcome(
  key: CallerKey,
  project: Awaited<ReturnType<Store["getProject"]>>,
  defaults: Policy,
): Outcome {
  if (project?.disabled) return { ok: false, error: projectDisabled(project.name) };
  const caller = governedCaller({
    kind: "config",
    keyId: key.id,
    tokenId: null,
    defaults,
    project,
    projectName: key.project ?? null,
    subject: { scope: `key:${key.id}`, policy: {} },
  });
  return { ok: true, caller, expiresAt: null, maxRequests: null };
}

function storeOutcome(found: Credential, defaults: Policy): Outcome {
  const project = found.project;
  if (project === null) return { ok: false, error: INVALID() };
  if (project.disabled) return { ok: false, error: projectDisabled(project.name) };
  if (found.kind === "key") {
    const key = found.key;
    if (key.disabledAt !== null) {
      return {
        ok: false,
        error: new GatewayError(401, "api_key_disabled", `API key "${key.id}" is disabled`),
      };
    }
    const caller = governedCaller({
      kind: "key",
      keyId: key.id,
      tokenId: null,
      defaults,
      project,
      subject: { scope: `key:${key.id}`, policy: key.policy },
    });
    return { ok: true, caller, expiresAt: key.expiresAt, maxRequests: null };
  }
  const token = found.token;
  if (token.revokedAt !== null) {
    return { ok: false, error: new GatewayError(401, "token_revoked", `Token "${token.id}" was revoked`) };
  }
  const caller = governedCaller({
    kind: "token",
    keyId: token.id,
    tokenId: token.id,
    defaults,
    project,
    subject: { scope: `token:${token.id}`, policy: token.policy },
  });
  return { ok: true, caller, expiresAt: token.expiresAt, maxRequests: token.maxRequests };
}

function projectDisabled(name: string): GatewayError {
  return new GatewayError(403, "project_disabled", `Project "${name}" is disabled`);
}

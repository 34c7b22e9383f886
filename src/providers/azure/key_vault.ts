/**
 * Secrets from Azure Key Vault (`kv://<vault>/<secret>[/<version>]`), read with the Key Vault REST API and
 * an Entra ID token for `https://vault.azure.net/.default`. Each secret is cached for a TTL and refreshed in
 * the background; a secret that cannot be refreshed keeps its last good value, and its error is reported
 * (status for `/health`, a warning in the app log) — never the value.
 */
import type { ExternalSecrets } from "../../config/secrets.ts";
import { TokenCache, type TokenCredentialLike } from "./token_cache.ts";

/** Scope of Key Vault data-plane tokens. */
export const KEY_VAULT_SCOPE = "https://vault.azure.net/.default";
/** Key Vault REST API version used for `GET /secrets/{name}/{version}`. */
export const KEY_VAULT_API_VERSION = "7.4";

const KV_REF = /^kv:\/\/([A-Za-z0-9-]{3,24})\/([A-Za-z0-9-]{1,127})(?:\/([0-9a-fA-F]{32}))?$/;

/** A parsed `kv://` reference. */
export interface KeyVaultRef {
  vault: string;
  name: string;
  version: string | null;
}

/** Parses `kv://<vault>/<secret>[/<version>]`; undefined when malformed. */
export function parseKeyVaultRef(ref: string): KeyVaultRef | undefined {
  const m = KV_REF.exec(ref);
  return m ? { vault: m[1]!, name: m[2]!, version: m[3] ?? null } : undefined;
}

/** What `/health` shows of one secret: where it comes from and whether it is fresh. */
export interface KeyVaultSecretStatus {
  ref: string;
  ok: boolean;
  refreshedAt: string | null;
  error: string | null;
}

/** Options of `KeyVaultSecrets`. */
export interface KeyVaultOptions {
  /** The Entra credential (built lazily on first use when a factory). */
  credential: TokenCredentialLike | (() => Promise<TokenCredentialLike>);
  /** How long a value is used before a background refresh, in ms. */
  ttlMs: number;
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  now?: () => number;
  /** Base URL of a vault (default `https://<vault>.vault.azure.net`); tests point it at a fake. */
  vaultUrl?: (vault: string) => string;
  /** App-log warning when a refresh fails (the last good value stays in use). */
  warn?: (message: string) => void;
  /** Called when a background refresh finds a new value (a rotation). */
  onChange?: (ref: string) => void;
}

interface Entry {
  value: string | null;
  fetchedAt: number;
  error: string | null;
  pending: Promise<string> | null;
}

/** Caches Key Vault secrets and refreshes them in the background. */
export class KeyVaultSecrets implements ExternalSecrets {
  readonly #o: KeyVaultOptions;
  readonly #entries = new Map<string, Entry>();
  #tokens: TokenCache | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Creates the cache; nothing is fetched until a secret is asked for. */
  constructor(options: KeyVaultOptions) {
    this.#o = options;
  }

  /** Whether `ref` is a Key Vault reference this resolver handles. */
  handles(ref: string): boolean {
    return ref.startsWith("kv://");
  }

  /** The secret's value: cached while fresh; fetched (and awaited) when never read or stale past twice the TTL. */
  get(ref: string): Promise<string> {
    const e = this.#entries.get(ref);
    const now = this.#now();
    if (e?.value != null) {
      if (now - e.fetchedAt >= this.#o.ttlMs) this.#refresh(ref).catch(() => {/* kept in status */});
      return Promise.resolve(e.value);
    }
    return this.#refresh(ref);
  }

  /** Refreshes every secret read so far; resolves when all attempts ended. */
  async refreshAll(): Promise<void> {
    await Promise.allSettled([...this.#entries.keys()].map((ref) => this.#refresh(ref)));
  }

  /** Starts refreshing every TTL in the background (the timer does not keep the process alive). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.refreshAll(), Math.max(1000, this.#o.ttlMs));
    Deno.unrefTimer(this.#timer);
  }

  /** Stops the background refresh. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Per-secret state for `/health`; `ok` is false while a secret's last refresh failed. */
  status(): { ok: boolean; secrets: KeyVaultSecretStatus[] } {
    const secrets = [...this.#entries].map(([ref, e]) => ({
      ref,
      ok: e.error === null && e.value !== null,
      refreshedAt: e.value === null ? null : new Date(e.fetchedAt).toISOString(),
      error: e.error,
    }));
    return { ok: secrets.every((s) => s.ok), secrets };
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }

  #refresh(ref: string): Promise<string> {
    let e = this.#entries.get(ref);
    if (e === undefined) {
      e = { value: null, fetchedAt: 0, error: null, pending: null };
      this.#entries.set(ref, e);
    }
    if (e.pending) return e.pending;
    const entry = e;
    const p = (async () => {
      try {
        const value = await this.#fetchSecret(ref);
        const changed = entry.value !== null && entry.value !== value;
        entry.value = value;
        entry.fetchedAt = this.#now();
        entry.error = null;
        if (changed) this.#o.onChange?.(ref);
        return value;
      } catch (err) {
        entry.error = err instanceof Error ? err.message : String(err);
        if (entry.value !== null) {
          this.#o.warn?.(
            `Cannot refresh Key Vault secret "${ref}"; the last good value stays in use: ${entry.error}`,
          );
          return entry.value;
        }
        throw err;
      } finally {
        entry.pending = null;
      }
    })();
    entry.pending = p;
    return p;
  }

  async #fetchSecret(ref: string): Promise<string> {
    const r = parseKeyVaultRef(ref);
    if (!r) {
      throw new TypeError(
        `Malformed Key Vault reference "${ref}": expected kv://<vault>/<secret>[/<version>]`,
      );
    }
    const base = (this.#o.vaultUrl ?? ((v) => `https://${v}.vault.azure.net`))(r.vault).replace(/\/+$/, "");
    const url = `${base}/secrets/${r.name}${
      r.version ? `/${r.version}` : ""
    }?api-version=${KEY_VAULT_API_VERSION}`;
    const token = await this.#token();
    let res: Response;
    try {
      res = await (this.#o.fetch ?? fetch)(url, {
        headers: { authorization: `Bearer ${token}`, accept: "application/json" },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new Error(`Key Vault "${r.vault}" is unreachable (${err instanceof Error ? err.name : "error"})`);
    }
    const text = await res.text();
    let body: { value?: unknown; error?: { code?: unknown; message?: unknown } } = {};
    try {
      body = JSON.parse(text);
    } catch { /* reported below */ }
    if (!res.ok) {
      const code = typeof body.error?.code === "string" ? body.error.code : `HTTP ${res.status}`;
      throw new Error(`Key Vault "${r.vault}" refused secret "${r.name}": ${code}`);
    }
    if (typeof body.value !== "string" || body.value.trim() === "") {
      throw new Error(`Key Vault secret "${r.name}" in "${r.vault}" has no value`);
    }
    return body.value.trim();
  }

  async #token(): Promise<string> {
    if (this.#tokens === undefined) {
      const c = this.#o.credential;
      const credential = typeof c === "function" ? await c() : c;
      this.#tokens = new TokenCache(credential, KEY_VAULT_SCOPE, this.#o.now ? { now: this.#o.now } : {});
    }
    return await this.#tokens.get();
  }
}

/**
 * Entra ID token cache: one token per credential and scope, fetched once, refreshed in the background
 * ahead of expiry, shared by every request — the hot path never waits for a token unless it has none.
 */
import { GatewayError } from "../../core/errors.ts";

/** The part of `@azure/identity`'s `TokenCredential` the cache uses (so tests pass a fake). */
export interface TokenCredentialLike {
  getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

/** Readiness of the cache, for `/health` (never the token itself). */
export interface TokenStatus {
  ok: boolean;
  expiresAt: string | null;
  error: string | null;
}

/** Caches and refreshes an Entra ID access token. */
export class TokenCache {
  readonly #credential: TokenCredentialLike;
  readonly #scope: string;
  readonly #now: () => number;
  readonly #refreshMarginMs: number;
  #token: { token: string; expiresOnTimestamp: number } | null = null;
  #pending: Promise<string> | null = null;
  #lastError: string | null = null;

  /** `refreshMarginMs` (default 5 min): how long before expiry a background refresh starts. */
  constructor(
    credential: TokenCredentialLike,
    scope: string,
    options: { now?: () => number; refreshMarginMs?: number } = {},
  ) {
    this.#credential = credential;
    this.#scope = scope;
    this.#now = options.now ?? Date.now;
    this.#refreshMarginMs = options.refreshMarginMs ?? 5 * 60_000;
  }

  /** Returns a valid token, fetching one only when none is valid. */
  get(): Promise<string> | string {
    const t = this.#token;
    const now = this.#now();
    if (t !== null && now < t.expiresOnTimestamp - 10_000) {
      if (now >= t.expiresOnTimestamp - this.#refreshMarginMs) {
        this.#refresh().catch(() => {/* kept in #lastError; the current token is still valid */});
      }
      return t.token;
    }
    return this.#refresh();
  }

  /** Current readiness. */
  status(): TokenStatus {
    const t = this.#token;
    const ok = t !== null && this.#now() < t.expiresOnTimestamp;
    return {
      ok,
      expiresAt: t ? new Date(t.expiresOnTimestamp).toISOString() : null,
      error: this.#lastError,
    };
  }

  #refresh(): Promise<string> {
    if (this.#pending) return this.#pending;
    const p = (async () => {
      try {
        const t = await this.#credential.getToken(this.#scope);
        if (!t?.token) throw new Error("the credential returned no token");
        this.#token = { token: t.token, expiresOnTimestamp: t.expiresOnTimestamp };
        this.#lastError = null;
        return t.token;
      } catch (err) {
        this.#lastError = describe(err);
        throw new GatewayError(
          502,
          "upstream_auth_failed",
          `Could not acquire an Entra ID token for scope "${this.#scope}": ${this.#lastError}`,
          { cause: err },
        );
      } finally {
        this.#pending = null;
      }
    })();
    this.#pending = p;
    return p;
  }
}

function describe(err: unknown): string {
  const name = err instanceof Error ? err.name : "Error";
  const msg = err instanceof Error ? err.message.split("\n")[0] ?? "" : String(err);
  return `${name}: ${msg.slice(0, 200)}`;
}

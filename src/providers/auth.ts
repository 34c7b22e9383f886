/**
 * Upstream credentials as the pipeline sees them: something that sets the auth header of an outgoing
 * request, and reports readiness for `/health`. Built once at start; secrets are resolved there.
 */
import type { HeaderMap } from "../core/http.ts";
import type { TokenStatus } from "./azure/token_cache.ts";

/** Applies upstream credentials to an outgoing request's headers. */
export interface UpstreamAuth {
  /** Sets the auth header; returns a promise only when a token must be fetched first. */
  apply(headers: HeaderMap): void | Promise<void>;
  /** Readiness for `/health`. */
  status(): TokenStatus;
}

const READY: TokenStatus = Object.freeze({ ok: true, expiresAt: null, error: null });

/** Auth with a static header, e.g. `api-key`, `x-api-key` or `authorization: Bearer …`. */
export function headerAuth(name: string, value: string): UpstreamAuth {
  return {
    apply(headers) {
      headers.set(name, value);
    },
    status: () => READY,
  };
}

/** No upstream auth (local model servers). */
export const NO_AUTH: UpstreamAuth = Object.freeze({ apply() {}, status: () => READY });

/** Sets configured extra headers (never auth headers: the validator refuses those). */
export function setExtraHeaders(headers: HeaderMap, extra: Record<string, string>): void {
  for (const name in extra) headers.set(name, extra[name]!);
}

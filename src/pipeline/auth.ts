/**
 * Caller authentication: the key a client presents (`Authorization: Bearer`, `api-key` or `x-api-key`)
 * is hashed with SHA-256 and looked up among the configured key hashes; the matching digest is then
 * compared in constant time. Only digests are ever held in memory.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Caller, CallerKey } from "../core/caller.ts";
import { GatewayError } from "../core/errors.ts";

/** Headers that carry caller credentials; always removed before forwarding. */
export const CALLER_AUTH_HEADERS = ["authorization", "api-key", "x-api-key"] as const;

const ANONYMOUS: Caller = Object.freeze({ keyId: "anonymous", project: null, tokenId: null });

/** Returns the key the client presented, or `undefined` when it sent none. */
export function presentedKey(headers: Headers): string | undefined {
  const auth = headers.get("authorization");
  if (auth !== null) {
    const m = /^\s*bearer\s+(.+?)\s*$/i.exec(auth);
    if (m?.[1]) return m[1];
  }
  return headers.get("api-key")?.trim() || headers.get("x-api-key")?.trim() || undefined;
}

/** Builds the caller authenticator over a fixed set of key digests. */
export function createAuthenticator(keys: CallerKey[], options: { required?: boolean } = {}) {
  const byDigest = new Map<string, { key: CallerKey; digest: Buffer; caller: Caller }>();
  for (const key of keys) {
    const digest = Buffer.from(key.sha256, "hex");
    if (digest.length !== 32) throw new TypeError(`Caller key "${key.id}" has no valid SHA-256 digest`);
    byDigest.set(key.sha256.toLowerCase(), {
      key,
      digest,
      caller: Object.freeze({ keyId: key.id, project: key.project ?? null, tokenId: null }),
    });
  }
  const required = options.required ?? true;

  /** Returns the caller or throws a 401 `GatewayError`. */
  return function authenticate(headers: Headers): Caller {
    const presented = presentedKey(headers);
    if (presented === undefined) {
      if (!required) return ANONYMOUS;
      throw new GatewayError(
        401,
        "missing_api_key",
        'Missing API key: send it as "Authorization: Bearer <key>", "api-key" or "x-api-key"',
      );
    }
    const digest = createHash("sha256").update(presented).digest();
    const entry = byDigest.get(digest.toString("hex"));
    if (entry === undefined || !timingSafeEqual(digest, entry.digest)) {
      throw new GatewayError(401, "invalid_api_key", "Invalid API key provided");
    }
    return entry.caller;
  };
}

/**
 * The caller's credential as clients send it: `Authorization: Bearer`, `api-key` or `x-api-key`. The
 * caller resolver (`src/governance/resolver.ts`) looks the key up by its SHA-256 digest; the headers that
 * carry it never reach an upstream.
 */

/** Headers that carry caller credentials; always removed before forwarding. */
export const CALLER_AUTH_HEADERS = ["authorization", "api-key", "x-api-key"] as const;

/** Returns the key the client presented, or `undefined` when it sent none. */
export function presentedKey(headers: Headers): string | undefined {
  const auth = headers.get("authorization");
  if (auth !== null) {
    const m = /^\s*bearer\s+(.+?)\s*$/i.exec(auth);
    if (m?.[1]) return m[1];
  }
  return headers.get("api-key")?.trim() || headers.get("x-api-key")?.trim() || undefined;
}

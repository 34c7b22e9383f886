/**
 * Caller credentials, as the management API issues them: API keys (`azmw_…`) and withering tokens
 * (`azmw_t_…`), each 32 random bytes in base64url. The secret is returned once to be shown; only its SHA-256
 * and a short visible prefix are kept.
 */
import { sha256Hex } from "../core/sha256.ts";
import { KEY_PREFIX, TOKEN_PREFIX } from "../store/views.ts";

/** A new secret and what the store keeps of it. */
export interface NewCredential {
  /** The full secret, shown once and never stored. */
  secret: string;
  /** The first 8 characters after `azmw_` (keys) or `azmw_t_` (tokens). */
  prefix: string;
  /** Lower-case hex SHA-256 of the secret. */
  sha256: string;
}

/** Source of random bytes (tests pass a deterministic one). */
export type RandomBytes = (n: number) => Uint8Array;

/** Cryptographically secure random bytes. */
export const secureRandom: RandomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));

/** Creates an API key (`azmw_` + 43 characters). */
export function newApiKey(random: RandomBytes = secureRandom): NewCredential {
  return material(KEY_PREFIX, random);
}

/** Creates a withering token (`azmw_t_` + 43 characters). */
export function newToken(random: RandomBytes = secureRandom): NewCredential {
  return material(TOKEN_PREFIX, random);
}

/** A record id: `key_` or `tok_` + 16 hex digits. */
export function newId(kind: "key" | "tok", random: RandomBytes = secureRandom): string {
  return `${kind}_${Array.from(random(8), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function material(start: string, random: RandomBytes): NewCredential {
  const body = base64Url(random(32));
  const secret = `${start}${body}`;
  return { secret, prefix: body.slice(0, 8), sha256: sha256Hex(secret) };
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Sealing keys: 32 random bytes in base64, each known by a key id that sealed fields carry, so keys can
 * rotate (one active key seals, older ones still open) and a project's key can be deleted to shred its
 * logged content.
 */
import { Buffer } from "node:buffer";
import { createSecretKey, type KeyObject } from "node:crypto";
import { sha256Hex } from "../core/sha256.ts";

/** Length of an AES-256 key in bytes. */
export const KEY_BYTES = 32;

/** One usable key: its id, the AES-256 key and a digest telling key material apart. */
export interface LogKey {
  kid: string;
  /** The secret key (opaque: not printed by `console.log` or `JSON.stringify`). */
  key: KeyObject;
  /** Hex SHA-256 of the key bytes. */
  digest: string;
}

/** A fresh key as written to key files and secrets: 32 random bytes in base64. */
export function generateKeyText(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(KEY_BYTES))).toString("base64");
}

/** Decodes key text (base64, surrounding whitespace ignored); throws `TypeError` without echoing it. */
export function decodeKeyText(text: string): Uint8Array<ArrayBuffer> {
  const s = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) {
    throw new TypeError(`expected ${KEY_BYTES} bytes in base64, got text that is not base64`);
  }
  const bytes = new Uint8Array(Buffer.from(s, s.includes("-") || s.includes("_") ? "base64url" : "base64"));
  if (bytes.length !== KEY_BYTES) {
    throw new TypeError(`expected ${KEY_BYTES} bytes in base64, got ${bytes.length} bytes`);
  }
  return bytes;
}

/** The default key id of a key: `k` and 8 hex digits of its SHA-256 (reveals nothing usable). */
export function deriveKid(bytes: Uint8Array): string {
  return `k${sha256Hex(bytes).slice(0, 8)}`;
}

/**
 * Imports raw key bytes for AES-256-GCM under `kid` (default: derived from the bytes). `node:crypto` does
 * the sealing: in Deno 2.9 its cipher costs ~10 µs per small field on the calling thread against ~50 µs for
 * `crypto.subtle.encrypt`, and the ciphertext is the same (data, then the 16-byte tag).
 */
export function importLogKey(bytes: Uint8Array, kid = deriveKid(bytes)): Promise<LogKey> {
  if (bytes.length !== KEY_BYTES) {
    return Promise.reject(new TypeError(`expected ${KEY_BYTES} bytes of key, got ${bytes.length}`));
  }
  return Promise.resolve({ kid, key: createSecretKey(bytes), digest: sha256Hex(bytes) });
}

/** Keys by id for opening, plus the active key for sealing (none when only opening). */
export class Keyring {
  readonly #byKid = new Map<string, LogKey>();
  /** The key new fields are sealed with, or `null`. */
  readonly active: LogKey | null;

  /** Creates a keyring; the first key of `keys` is active when `sealing` (default true). */
  constructor(keys: LogKey[], options: { sealing?: boolean } = {}) {
    for (const k of keys) this.add(k);
    this.active = options.sealing === false ? null : keys[0] ?? null;
  }

  /** Adds a key that opens fields; throws `RangeError` when a different key already has its id. */
  add(key: LogKey): void {
    const known = this.#byKid.get(key.kid);
    if (known !== undefined && known.digest !== key.digest) {
      throw new RangeError(`Duplicate log key id "${key.kid}"`);
    }
    if (known === undefined) this.#byKid.set(key.kid, key);
  }

  /** The key with id `kid`, or `undefined`. */
  get(kid: string): LogKey | undefined {
    return this.#byKid.get(kid);
  }

  /** Every key id, in the order added. */
  get kids(): string[] {
    return [...this.#byKid.keys()];
  }

  /** Number of keys. */
  get size(): number {
    return this.#byKid.size;
  }
}

/**
 * Sealed body fields: the plaintext gzip-compressed (from 128 bytes on; `gz` tells), then encrypted with
 * AES-256-GCM under a fresh 96-bit IV, with additional data binding the record id, the field name and the
 * flags, so a field moved to another record or another field, or relabelled, no longer opens.
 */
import { Buffer } from "node:buffer";
import { createCipheriv, createDecipheriv, type KeyObject, randomFillSync } from "node:crypto";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { gzipBody } from "./gzip.ts";
import type { Keyring, LogKey } from "./keyring.ts";

/** A sealed body as stored in a record. */
export interface SealedField {
  alg: "A256GCM";
  kid: string;
  /** Base64 IV (12 bytes). */
  iv: string;
  /** Base64 ciphertext with the 16-byte tag appended. */
  ct: string;
  /** Whether the plaintext was gzip-compressed before sealing. */
  gz: boolean;
  /** Whether the body was cut at the logged size cap. */
  trunc: boolean;
  /** The plaintext is the body's own bytes (redacted), not a JSON document; absent when false. */
  raw?: true;
}

/** Which field of which record a sealed value belongs to. */
export interface FieldContext {
  id: string;
  field: "request" | "response";
}

/** A field that could not be opened; the message names the record id and the reason, never content. */
export class LogOpenError extends Error {
  /** Creates the error for record `id`. */
  constructor(readonly id: string, readonly field: string, readonly reason: string) {
    super(`Cannot decrypt log record ${JSON.stringify(id)}: ${reason} in "${field}"`);
    this.name = "LogOpenError";
  }
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
/**
 * Smaller plaintexts are stored uncompressed: gzip's header and trailer outweigh the gain (measured: chat
 * requests of 67-115 bytes come out of gzip 2-17 bytes larger, while from ~150 bytes on they shrink).
 */
const GZIP_MIN = 128;
/** Opened plaintexts are capped, so a corrupt length cannot exhaust memory. */
const GUNZIP_MAX = 1024 * 1024 * 1024;
const enc = new TextEncoder();
const gunzipAsync = promisify(gunzip);

/**
 * The additional data of a field: the record id and field name, plus the `gz`, `trunc` and `raw` flags so
 * they cannot be flipped either; JSON keeps it unambiguous for any id. `raw` is bound only when set, so
 * fields sealed before it existed still open.
 */
export function additionalData(
  ctx: FieldContext,
  gz: boolean,
  trunc: boolean,
  raw = false,
): Uint8Array<ArrayBuffer> {
  const data: unknown[] = ["azmw-log", 1, ctx.id, ctx.field, gz, trunc];
  if (raw) data.push("raw");
  return enc.encode(JSON.stringify(data));
}

/** The raw bytes of each key, exported once (a `KeyObject` is exported again on every cipher made from it). */
const rawKeys = new WeakMap<KeyObject, Buffer>();

function rawKey(key: KeyObject): Buffer {
  let raw = rawKeys.get(key);
  if (raw === undefined) rawKeys.set(key, raw = key.export());
  return raw;
}

/**
 * Compresses and seals `plain` for `ctx` with `key`. Synchronous: it runs in the log thread (the worker
 * of `log_worker.ts`), off the request path, and in Deno 2.9 `gzipBody()` and the `node:crypto` cipher
 * (~5 + ~7-10 µs for 300 bytes) cost less time than the asynchronous forms, whose stream, promise and
 * thread-pool plumbing adds to it (async `gzip` ~12-19 µs; `crypto.subtle.encrypt`, its key imported
 * once, ~30 µs; measured).
 */
export function sealFieldSync(
  plain: Uint8Array,
  ctx: FieldContext,
  key: LogKey,
  options: { trunc?: boolean; raw?: boolean } = {},
): SealedField {
  const gz = plain.length >= GZIP_MIN;
  const trunc = options.trunc ?? false;
  const raw = options.raw ?? false;
  const data = gz ? gzipBody(plain) : plain;
  const iv = randomFillSync(Buffer.alloc(IV_BYTES));
  const cipher = createCipheriv("aes-256-gcm", rawKey(key.key), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(ctx, gz, trunc, raw));
  const head = cipher.update(data);
  const tail = cipher.final();
  return {
    alg: "A256GCM",
    kid: key.kid,
    iv: iv.toString("base64"),
    ct: Buffer.concat([head, tail, cipher.getAuthTag()]).toString("base64"),
    gz,
    trunc,
    ...(raw ? { raw: true as const } : {}),
  };
}

/** `sealFieldSync()` as a promise. */
export function sealField(
  plain: Uint8Array,
  ctx: FieldContext,
  key: LogKey,
  options: { trunc?: boolean; raw?: boolean } = {},
): Promise<SealedField> {
  try {
    return Promise.resolve(sealFieldSync(plain, ctx, key, options));
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Whether `value` has the shape of a sealed field (not whether it opens). */
export function isSealedField(value: unknown): value is SealedField {
  if (typeof value !== "object" || value === null) return false;
  const f = value as Record<string, unknown>;
  return f.alg === "A256GCM" && typeof f.kid === "string" && typeof f.iv === "string" &&
    typeof f.ct === "string" && typeof f.gz === "boolean" && typeof f.trunc === "boolean" &&
    (f.raw === undefined || f.raw === true);
}

/** Opens a sealed field of record `ctx.id`; throws `LogOpenError` for any failure. */
export async function openField(
  sealed: unknown,
  ctx: FieldContext,
  keyring: Keyring,
): Promise<{ plain: Uint8Array; trunc: boolean; raw: boolean }> {
  const fail = (reason: string) => new LogOpenError(ctx.id, ctx.field, reason);
  if (!isSealedField(sealed)) throw fail("not a sealed field");
  const key = keyring.get(sealed.kid);
  if (key === undefined) throw fail(`no key with id ${JSON.stringify(sealed.kid)}`);
  const iv = Buffer.from(sealed.iv, "base64");
  if (iv.length !== IV_BYTES) throw fail(`IV of ${iv.length} bytes, expected ${IV_BYTES}`);
  const ct = Buffer.from(sealed.ct, "base64");
  if (ct.length < TAG_BYTES) throw fail("authentication tag mismatch");
  let data: Uint8Array;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(ctx, sealed.gz, sealed.trunc, sealed.raw === true));
    decipher.setAuthTag(ct.subarray(ct.length - TAG_BYTES));
    data = Buffer.concat([decipher.update(ct.subarray(0, ct.length - TAG_BYTES)), decipher.final()]);
  } catch {
    // Every failure reads the same: wrong key, tampered bytes or wrong record or field.
    throw fail("authentication tag mismatch");
  }
  const raw = sealed.raw === true;
  if (!sealed.gz) return { plain: data, trunc: sealed.trunc, raw };
  try {
    return { plain: await gunzipAsync(data, { maxOutputLength: GUNZIP_MAX }), trunc: sealed.trunc, raw };
  } catch (err) {
    throw fail(`cannot decompress (${err instanceof Error ? err.message : err})`);
  }
}

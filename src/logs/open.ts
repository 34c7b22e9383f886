/**
 * Opening a record's bodies for reading: each sealed field becomes the logged JSON value; a body cut at
 * the size cap becomes `{"truncated": true, "text": "<prefix>"}`; a body logged as its own bytes becomes
 * `{"raw": true, "truncated": …, "text": "…"}` (or `"base64"` instead of `"text"` when it is not UTF-8). A field that does not open stays sealed
 * and its error is returned, so one bad field never hides the rest of the record.
 */
import { Buffer } from "node:buffer";
import type { Keyring } from "./keyring.ts";
import type { LogRecord } from "./record.ts";
import { type FieldContext, LogOpenError, openField } from "./seal.ts";

/** A record whose openable bodies are plain values. */
export type OpenedRecord = Omit<LogRecord, "request" | "response"> & { request: unknown; response: unknown };

const dec = new TextDecoder();
const strict = new TextDecoder("utf-8", { fatal: true });

/** The logged value of a plaintext body; `raw` marks a body logged as its own bytes. */
export function bodyValue(plain: Uint8Array, trunc: boolean, raw = false): unknown {
  if (raw) {
    try {
      return { raw: true, truncated: trunc, text: strict.decode(plain) };
    } catch {
      return { raw: true, truncated: trunc, base64: Buffer.from(plain).toString("base64") };
    }
  }
  const text = dec.decode(plain);
  if (trunc) return { truncated: true, text };
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Opens every sealed body of `record` with `keyring`; fields that fail stay sealed and are listed. */
export async function openRecord(
  record: LogRecord,
  keyring: Keyring,
): Promise<{ record: OpenedRecord; errors: LogOpenError[] }> {
  const out: OpenedRecord = { ...record };
  const errors: LogOpenError[] = [];
  for (const field of ["request", "response"] as const satisfies FieldContext["field"][]) {
    const sealed = record[field];
    if (sealed === null || sealed === undefined) continue;
    try {
      const { plain, trunc, raw } = await openField(sealed, { id: record.id, field }, keyring);
      out[field] = bodyValue(plain, trunc, raw);
    } catch (err) {
      if (!(err instanceof LogOpenError)) throw err;
      errors.push(err);
    }
  }
  return { record: out, errors };
}

/**
 * The plaintext of a logged body: the request as received, the response as sent (or assembled from a
 * stream), redacted and serialised as one JSON document, then cut at the logged size cap. A JSON body
 * that redaction would leave as it is is logged as its own bytes, without being serialised again.
 *
 * Every forwarded body is logged in some form. A body that is not valid UTF-8, or that was cut before it
 * was queued, or whose JSON cannot be walked, is logged as its bytes (`raw`), redacted as text. A body
 * whose redaction runs past its time budget — or a raw one while drop paths are configured, which cannot
 * be applied to it — is replaced by a marker with its size and SHA-256, never logged unredacted.
 */
import { sha256Hex } from "../core/sha256.ts";
import type { Assembled } from "../core/operation.ts";
import { isQueuedStart, type LogItem, type QueuedCall } from "./queued.ts";
import { RedactionBudgetError, type Redactor } from "./redact.ts";
import { usageJson } from "./record.ts";

/** A body ready to seal. */
export interface Payload {
  plain: Uint8Array;
  /** Whether `plain` was cut at the cap (it is then no longer valid JSON). */
  trunc: boolean;
  /** Whether `plain` is the body's own bytes (redacted) rather than a JSON document. */
  raw: boolean;
}

/**
 * Bodies up to this size are checked for a pass-through (`Redactor.unchanged()`) before being parsed and
 * redacted: chat calls are far smaller, and a check that finds something to redact costs up to ~0.5 ms here.
 */
export const PASS_THROUGH_MAX = 64 * 1024;

const enc = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });

/** Size of a record's bodies in bytes (what a queued record holds on to). */
export function bodyBytes(rec: LogItem): number {
  if (isQueuedStart(rec)) return 0;
  return (rec.requestBody?.length ?? 0) + (rec.responseBody?.length ?? 0) +
    (rec.assembled ? rec.assembled.content.length * 2 : 0);
}

/** The streamed response as logged: content, tool calls, finish reason and usage. */
export function assembledJson(a: Assembled): Record<string, unknown> {
  return {
    ...(a.id !== undefined ? { id: a.id } : {}),
    ...(a.model !== undefined ? { model: a.model } : {}),
    content: a.content,
    tool_calls: a.toolCalls.map((t) => ({ id: t.id, type: t.type, name: t.name, arguments: t.arguments })),
    finish_reason: a.finishReason ?? null,
    usage: a.usage ? usageJson(a.usage) : null,
    ...(a.error ? { error: { type: a.error.type, message: a.error.message } } : {}),
  };
}

/** Cuts `bytes` to at most `cap`, never inside a UTF-8 sequence. */
export function capped(bytes: Uint8Array, cap: number, raw = false): Payload {
  if (bytes.length <= cap) return { plain: bytes, trunc: false, raw };
  let cut = cap;
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return { plain: bytes.subarray(0, cut), trunc: true, raw };
}

/** The marker logged instead of a body: why, its size and the SHA-256 of the bytes the log had. */
export function withheld(reason: string, bytes: Uint8Array, size = bytes.length): Payload {
  const marker: Record<string, unknown> = {
    withheld: reason,
    bytes: size,
    sha256: sha256Hex(bytes),
  };
  if (size !== bytes.length) marker.sha256_of_first = bytes.length;
  return { plain: enc.encode(JSON.stringify(marker)), trunc: false, raw: false };
}

/** Bytes as a string of one character per byte (and back), so text patterns run over any bytes. */
function binaryString(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 8192)));
  }
  return s;
}

function binaryBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The body's own bytes, redacted as text: UTF-8 text as such, other bytes one character per byte. */
function rawPayload(bytes: Uint8Array, text: string | null, redactor: Redactor, cap: number): Payload {
  const out = text !== null
    ? enc.encode(redactor.text(text))
    : binaryBytes(redactor.text(binaryString(bytes)));
  return capped(out, cap, true);
}

/** A body as logged when it cannot be logged as a JSON document (or a marker when it must not be). */
function unparsed(bytes: Uint8Array, text: string | null, redactor: Redactor, cap: number, size?: number) {
  if (redactor.dropsPaths) return withheld("drop paths cannot be applied to this body", bytes, size);
  const payload = rawPayload(bytes, text, redactor, cap);
  return size === undefined ? payload : { ...payload, trunc: true };
}

/** Runs `build` under the redaction budget; past it, the marker of `bytes` is logged instead. */
function budgeted(bytes: () => Uint8Array, redactor: Redactor, build: () => Payload, size?: number): Payload {
  try {
    return redactor.withBudget(build);
  } catch (err) {
    if (!(err instanceof RedactionBudgetError)) throw err;
    const b = bytes();
    return withheld("redaction took longer than its budget", b, size ?? b.length);
  }
}

/**
 * A raw body: JSON is parsed so paths can be dropped; other text is logged as a JSON string; `cutFrom`
 * is the size of a body that was cut before it was queued.
 */
export function bytesPayload(bytes: Uint8Array, redactor: Redactor, cap: number, cutFrom?: number): Payload {
  return budgeted(() => bytes, redactor, () => {
    if (cutFrom !== undefined) {
      // Cut bodies are no longer JSON, and the cut may have split the last UTF-8 sequence.
      let text: string | null = null;
      for (let k = 0; k < 4 && text === null && k <= bytes.length; k++) {
        try {
          text = strict.decode(bytes.subarray(0, bytes.length - k));
        } catch {
          // Try without one more trailing byte.
        }
      }
      return unparsed(bytes, text, redactor, cap, cutFrom);
    }
    let text: string;
    try {
      text = strict.decode(bytes);
    } catch {
      return unparsed(bytes, null, redactor, cap);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return capped(enc.encode(JSON.stringify(redactor.text(text))), cap);
    }
    // Nothing to redact: the document as received, not parsed back into text. Only for bodies up to
    // PASS_THROUGH_MAX, so a large body that does need redacting does not spend its time budget twice;
    // and not with a BOM, which the decoder drops and JSON.parse would not read back.
    if (bytes.length <= PASS_THROUGH_MAX && bytes[0] !== 0xef && redactor.unchanged(text)) {
      return capped(bytes, cap);
    }
    try {
      return capped(enc.encode(JSON.stringify(redactor.json(value))), cap);
    } catch (err) {
      // Nesting deeper than the serialiser's stack: the text itself is logged.
      if (!(err instanceof RangeError)) throw err;
      return unparsed(bytes, text, redactor, cap);
    }
  }, cutFrom);
}

/** The request body to seal, or `null` when there is none. */
export function requestPayload(rec: QueuedCall, redactor: Redactor, cap: number): Payload | null {
  return rec.requestBody === null ? null : bytesPayload(rec.requestBody, redactor, cap, rec.requestCut);
}

/** The response to seal: assembled for streams, raw otherwise; `null` when there is none. */
export function responsePayload(rec: QueuedCall, redactor: Redactor, cap: number): Payload | null {
  const a = rec.assembled;
  if (a !== null && (rec.stream || rec.responseBody === null)) {
    const value = assembledJson(a);
    return budgeted(
      () => enc.encode(JSON.stringify(assembledJson(a))),
      redactor,
      () => capped(enc.encode(JSON.stringify(redactor.json(value))), cap),
    );
  }
  return rec.responseBody === null ? null : bytesPayload(rec.responseBody, redactor, cap, rec.responseCut);
}

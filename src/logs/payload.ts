/**
 * The plaintext of a logged body: the request as received, the response as sent (or assembled from a
 * stream), redacted and serialised as one JSON document, then cut at the logged size cap.
 */
import type { CallRecord } from "../pipeline/record.ts";
import type { Assembled } from "../streams/types.ts";
import type { Redactor } from "./redact.ts";
import { usageJson } from "./record.ts";

/** A body ready to seal. */
export interface Payload {
  plain: Uint8Array;
  /** Whether `plain` was cut at the cap (it is then no longer valid JSON). */
  trunc: boolean;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Size of a record's bodies in bytes (what a queued record holds on to). */
export function bodyBytes(rec: CallRecord): number {
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

/** Serialises `value` after redaction and applies the cap. */
function finish(value: unknown, redactor: Redactor, cap: number): Payload {
  return capped(enc.encode(JSON.stringify(redactor.json(value))), cap);
}

/** Cuts `bytes` to at most `cap`, never inside a UTF-8 sequence. */
export function capped(bytes: Uint8Array, cap: number): Payload {
  if (bytes.length <= cap) return { plain: bytes, trunc: false };
  let cut = cap;
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return { plain: bytes.subarray(0, cut), trunc: true };
}

/** A raw body: JSON is parsed so paths can be dropped; anything else is logged as a JSON string. */
export function bytesPayload(bytes: Uint8Array, redactor: Redactor, cap: number): Payload {
  const text = dec.decode(bytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return capped(enc.encode(JSON.stringify(redactor.text(text))), cap);
  }
  return finish(value, redactor, cap);
}

/** The request body to seal, or `null` when there is none. */
export function requestPayload(rec: CallRecord, redactor: Redactor, cap: number): Payload | null {
  return rec.requestBody === null ? null : bytesPayload(rec.requestBody, redactor, cap);
}

/** The response to seal: assembled for streams, raw otherwise; `null` when there is none. */
export function responsePayload(rec: CallRecord, redactor: Redactor, cap: number): Payload | null {
  if (rec.assembled !== null && (rec.stream || rec.responseBody === null)) {
    return finish(assembledJson(rec.assembled), redactor, cap);
  }
  return rec.responseBody === null ? null : bytesPayload(rec.responseBody, redactor, cap);
}

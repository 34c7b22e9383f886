/**
 * The body sent upstream once admission has set top-level fields of it (the budget's output maximum, a
 * downshifted model). A small body is encoded again. A large one whose changes only add fields keeps the
 * client's bytes as they came, with the new fields appended before its closing brace: it goes as a
 * `BytesBlob` of the bytes and the fields, so no second copy of the body is made (encoding it again took a
 * 9.8 MB string and a 9.8 MB buffer per 9.8 MB call, while the call's record holds the client's bytes),
 * and the upstream gets the client's own text.
 */
import type { JsonObject } from "../providers/types.ts";
import { BytesBlob } from "../providers/bytes_blob.ts";
import { LARGE_BODY_BYTES, parseJsonObject } from "./body.ts";

/** What admission's changes make of a body: what to send, and a fresh parse of it for each later attempt. */
export interface ChangedBody {
  sent: Uint8Array<ArrayBuffer> | Blob;
  again: () => JsonObject;
}

/** The top-level fields of a large body as admission found them (`null` for a small body). */
export function fieldsBefore(bytes: Uint8Array, body: JsonObject): ReadonlyMap<string, unknown> | null {
  return bytes.byteLength > LARGE_BODY_BYTES ? new Map(Object.entries(body)) : null;
}

/** The body to send after admission changed `body` (parsed from `bytes`; `before` from `fieldsBefore`). */
export function changedBody(
  bytes: Uint8Array<ArrayBuffer>,
  body: JsonObject,
  before: ReadonlyMap<string, unknown> | null,
): ChangedBody {
  const added = before === null ? null : addedFields(body, before);
  if (added === null) {
    const sent = new TextEncoder().encode(JSON.stringify(body)) as Uint8Array<ArrayBuffer>;
    return { sent, again: () => parseJsonObject(sent) };
  }
  let end = bytes.byteLength - 1;
  while (end > 0 && bytes[end] !== 0x7d) end--; // the closing brace (JSON allows whitespace after it)
  let tail = "";
  for (const [key, value] of Object.entries(added)) {
    const json = JSON.stringify(value);
    if (json !== undefined) {
      tail += `${tail !== "" || before!.size > 0 ? "," : ""}${JSON.stringify(key)}:${json}`;
    }
  }
  return {
    sent: new BytesBlob([bytes.subarray(0, end), new TextEncoder().encode(`${tail}}`)]),
    again: () => Object.assign(parseJsonObject(bytes), added),
  };
}

/** The fields `body` has that `before` had not, or `null` when a field it had was changed or removed. */
function addedFields(body: JsonObject, before: ReadonlyMap<string, unknown>): JsonObject | null {
  const added: JsonObject = {};
  let kept = 0;
  for (const key of Object.keys(body)) {
    if (!before.has(key)) added[key] = body[key];
    else if (before.get(key) === body[key]) kept++;
    else return null;
  }
  return kept === before.size ? added : null;
}

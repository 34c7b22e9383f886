/**
 * Text from request logs (model names, key ids, project names, error messages, bodies) shown to an
 * operator: control characters and bidirectional overrides are written as visible escapes, so a caller
 * cannot move the cursor, recolour, retitle or rewrite what the operator's terminal shows.
 */

/** C0 and C1 controls, DEL, and the bidi embedding, override and isolate characters. */
// deno-lint-ignore no-control-regex -- these control characters are what is checked for
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** The same minus C0 controls, which `JSON.stringify` already escapes. */
const UNSAFE_IN_JSON = /[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string, width: number) => c.charCodeAt(0).toString(16).padStart(width, "0");

/** `text` with every control or bidi character shown as `\xHH` or `\uHHHH`. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`);
}

/** JSON text with the controls `JSON.stringify` leaves raw (DEL, C1, bidi) escaped as `\uHHHH`. */
export function printableJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (c) => `\\u${hex(c, 4)}`);
}

/**
 * Locates a top-level member of a JSON object text without parsing it, so the member can be cut
 * out while every other byte stays as the upstream sent it.
 * @module
 */

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;

/** Where a top-level member sits in a JSON object text (all offsets are string indices). */
export interface JsonMember {
  /** Start of the text to cut to remove the member: its preceding comma, or its key when first. */
  cutStart: number;
  /** End of the text to cut: its value's end, or past the following comma when it is first. */
  cutEnd: number;
  valueStart: number;
  valueEnd: number;
}

/** Finds the top-level member `key` of the JSON object text `json`; undefined if absent or malformed. */
export function findMember(json: string, key: string): JsonMember | undefined {
  let i = skipWs(json, 0);
  if (json.charCodeAt(i) !== LBRACE) return undefined;
  let prevComma = -1;
  i = skipWs(json, i + 1);
  while (json.charCodeAt(i) === QUOTE) {
    const keyStart = i;
    const keyEnd = skipString(json, i);
    if (keyEnd < 0) return undefined;
    const isKey = keyEnd - keyStart - 2 === key.length && json.startsWith(key, keyStart + 1);
    i = skipWs(json, keyEnd);
    if (json.charCodeAt(i) !== COLON) return undefined;
    const valueStart = skipWs(json, i + 1);
    const valueEnd = skipValue(json, valueStart);
    if (valueEnd <= valueStart) return undefined;
    i = skipWs(json, valueEnd);
    const next = json.charCodeAt(i);
    if (isKey) {
      if (prevComma >= 0) return { cutStart: prevComma, cutEnd: valueEnd, valueStart, valueEnd };
      const cutEnd = next === COMMA ? skipWs(json, i + 1) : valueEnd;
      return { cutStart: keyStart, cutEnd, valueStart, valueEnd };
    }
    if (next !== COMMA) return undefined;
    prevComma = i;
    i = skipWs(json, i + 1);
  }
  return undefined;
}

/** Whether the member's value is exactly `text` (e.g. "null", "[]"), ignoring inner whitespace. */
export function valueIs(json: string, m: JsonMember, text: string): boolean {
  const v = m.valueEnd - m.valueStart === text.length
    ? json.slice(m.valueStart, m.valueEnd)
    : json.slice(m.valueStart, m.valueEnd).replace(/\s+/g, "");
  return v === text;
}

function skipWs(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
    i++;
  }
}

/** Index just past the string starting at `i` (a quote), or -1 if unterminated. */
function skipString(s: string, i: number): number {
  let q = s.indexOf('"', i + 1);
  while (q !== -1) {
    let bs = 0;
    while (s.charCodeAt(q - 1 - bs) === BACKSLASH) bs++;
    if ((bs & 1) === 0) return q + 1;
    q = s.indexOf('"', q + 1);
  }
  return -1;
}

/** Index just past the value starting at `i`, or -1 if malformed. */
function skipValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === QUOTE) return skipString(s, i);
  if (c === LBRACE || c === LBRACKET) {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const d = s.charCodeAt(j);
      if (d === QUOTE) {
        j = skipString(s, j) - 1;
        if (j < 0) return -1;
      } else if (d === LBRACE || d === LBRACKET) depth++;
      else if (d === RBRACE || d === RBRACKET) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  for (; j < s.length; j++) {
    const d = s.charCodeAt(j);
    if (d === COMMA || d === RBRACE || d === RBRACKET || d === 32 || d === 10 || d === 13 || d === 9) break;
  }
  return j;
}

/**
 * Parses one complete SSE event block (its lines up to and including the blank line) per the
 * WHATWG event-stream rules: CR, LF or CRLF line ends, comments, `data` lines joined with "\n".
 * @module
 */
import type { SseEvent } from "./sse.ts";

/** Where the data sits in a parsed block; filled by {@link parseBlock}. */
export interface BlockMeta {
  /** Number of `data` lines. */
  dataLines: number;
  /** Index in the block text where the first `data` value starts. */
  dataStart: number;
}

/** Parses the event block `text`; undefined when it has no `data` line (nothing to dispatch). */
export function parseBlock(text: string, meta: BlockMeta): SseEvent | undefined {
  const n = text.length;
  const hasCR = text.indexOf("\r") !== -1;
  let data = "";
  let dataLines = 0;
  let dataStart = -1;
  let event: string | undefined;
  let id: string | undefined;
  let pos = 0;
  while (pos < n) {
    let eol = hasCR ? lineEnd(text, pos) : text.indexOf("\n", pos);
    if (eol === -1) eol = n;
    if (eol > pos && text.charCodeAt(pos) !== 58 /* ":" comment */) {
      let colon = text.indexOf(":", pos);
      if (colon === -1 || colon > eol) colon = eol;
      let vs = colon + 1;
      if (text.charCodeAt(vs) === 32 && vs < eol) vs++;
      if (vs > eol) vs = eol;
      const len = colon - pos;
      if (len === 4 && text.startsWith("data", pos)) {
        const value = text.slice(vs, eol);
        if (dataLines++ === 0) {
          data = value;
          dataStart = vs;
        } else data += "\n" + value;
      } else if (len === 5 && text.startsWith("event", pos)) {
        event = vs < eol ? text.slice(vs, eol) : undefined;
      } else if (len === 2 && text.startsWith("id", pos)) {
        const value = text.slice(vs, eol);
        if (!value.includes("\0")) id = value;
      }
    }
    pos = eol + (text.charCodeAt(eol) === 13 && text.charCodeAt(eol + 1) === 10 ? 2 : 1);
  }
  meta.dataLines = dataLines;
  meta.dataStart = dataStart;
  return dataLines === 0 ? undefined : { event, data, id };
}

function lineEnd(s: string, i: number): number {
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return -1;
}

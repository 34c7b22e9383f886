/**
 * Hides the usage the gateway asked for on the client's behalf (`stream_options.include_usage`):
 * the final usage chunk is dropped and every other chunk's `"usage":null` member is cut out, so
 * the client receives byte for byte the stream it would have received without the option.
 * @module
 */
import type { SseEvent } from "./sse.ts";
import { type BlockMeta, parseBlock } from "./sse_block.ts";
import { findMember, valueIs } from "./json_member.ts";

const LF = 10;
const CR = 13;
// The real APIs put `usage` last, so a plain suffix check settles nearly every event.
const NULL_TAIL = ',"usage":null}';
const NULL_MEMBER = ',"usage":null';

/** Options of {@link usageStrip}. */
export interface UsageStripOptions {
  /** Called when `onEvent` throws (it is not called again) or stripping fails (bytes then pass as is). */
  onError?: (err: unknown) => void;
}

/**
 * Removes the injected usage chunk and `"usage":null` members; every event, kept or dropped, goes to
 * `onEvent`. Complete events are forwarded at once; kept events keep their exact original bytes.
 */
export function usageStrip(
  onEvent: (ev: SseEvent) => void,
  options: UsageStripOptions = {},
): Transformer<Uint8Array, Uint8Array> {
  const s = new Stripper(onEvent, options.onError);
  return {
    transform: (chunk, controller) => s.transform(chunk, controller),
    flush: (controller) => s.flush(controller),
  };
}

/** Where output goes: a `TransformStream`'s controller, or the relay's own queue. */
type Out = Pick<TransformStreamDefaultController<Uint8Array>, "enqueue">;

class Stripper {
  #onEvent: ((ev: SseEvent) => void) | undefined;
  #onError: ((err: unknown) => void) | undefined;
  #decoder = new TextDecoder();
  #meta: BlockMeta = { dataLines: 0, dataStart: -1 };
  /** Bytes of the incomplete event at the end of the previous chunks. */
  #pending: Uint8Array[] = [];
  #lineStart = true;
  #afterCR = false;
  /**
   * The last event ended with a CR at a chunk's end: a LF starting the next chunk completes its CRLF
   * and shares its fate (1 = kept, 2 = dropped) instead of starting the next event.
   */
  #carry: 0 | 1 | 2 = 0;
  #broken = false;

  constructor(onEvent: (ev: SseEvent) => void, onError: ((err: unknown) => void) | undefined) {
    this.#onEvent = onEvent;
    this.#onError = onError;
  }

  transform(chunk: Uint8Array, controller: Out): void {
    if (this.#broken) return controller.enqueue(chunk);
    if (chunk.length === 0) return;
    const prior = this.#pending;
    try {
      this.#transform(chunk, prior, controller);
    } catch (err) {
      // Nothing of this chunk was enqueued yet: relay it and everything after it as is.
      this.#fail(err);
      this.#pending = [];
      for (const p of prior) controller.enqueue(p);
      controller.enqueue(chunk);
    }
  }

  flush(controller: Out): void {
    const rest = this.#pending;
    this.#pending = [];
    if (rest.length === 0) return;
    const bytes = concat(rest);
    if (this.#broken) return controller.enqueue(bytes);
    try {
      // An event the stream ends without its blank line: treated like a complete one.
      const out = this.#decide(bytes);
      if (out !== null) controller.enqueue(out);
    } catch (err) {
      this.#fail(err);
      controller.enqueue(bytes);
    }
  }

  #transform(chunk: Uint8Array, prior: Uint8Array[], controller: Out): void {
    const n = chunk.length;
    let start = 0; // start of the current event in this chunk
    let run = 0; // start of the kept bytes of this chunk not yet in `out`
    if (this.#carry !== 0) {
      if (chunk[0] === LF) {
        start = 1;
        if (this.#carry === 2) run = 1;
        this.#afterCR = false;
      }
      this.#carry = 0;
    }
    let i = start;
    let out: Uint8Array[] | undefined;
    let first = prior.length > 0;
    for (; i < n; i++) {
      const b = chunk[i];
      if (b === LF) {
        if (this.#afterCR) {
          this.#afterCR = false;
          continue;
        }
        if (!this.#lineStart) {
          this.#lineStart = true;
          continue;
        }
      } else if (b === CR) {
        if (!this.#lineStart) {
          this.#lineStart = this.#afterCR = true;
          continue;
        }
        // A blank line ended by CR: take the LF of a CRLF along if it is already here.
        if (chunk[i + 1] === LF) {
          i++;
          this.#afterCR = false;
        } else this.#afterCR = true;
      } else {
        this.#lineStart = this.#afterCR = false;
        continue;
      }
      const end = i + 1;
      const raw = first ? concat(prior, chunk.subarray(0, end)) : chunk.subarray(start, end);
      const kept = this.#decide(raw);
      if (this.#afterCR && end === n) this.#carry = kept === null ? 2 : 1;
      if (kept !== raw || first) {
        out ??= [];
        if (start > run) out.push(chunk.subarray(run, start));
        if (kept !== null) out.push(kept);
        run = end;
      }
      first = false;
      start = end;
    }
    this.#pending = first
      ? [...prior, chunk]
      : start === n
      ? []
      : [start === 0 ? chunk : chunk.subarray(start)];
    if (out === undefined) {
      if (start > run) controller.enqueue(run === 0 && start === n ? chunk : chunk.subarray(run, start));
      return;
    }
    if (start > run) out.push(chunk.subarray(run, start));
    if (out.length === 1) controller.enqueue(out[0]!);
    else if (out.length > 1) controller.enqueue(concat(out));
  }

  /** The bytes to forward for one event: `raw` itself, a copy without `"usage":null`, or null to drop. */
  #decide(raw: Uint8Array): Uint8Array | null {
    const text = this.#decoder.decode(raw);
    const meta = this.#meta;
    const ev = parseBlock(text, meta);
    if (ev === undefined) return raw;
    this.#emit(ev);
    const data = ev.data;
    if (data.endsWith(NULL_TAIL)) {
      const at = data.length - NULL_TAIL.length;
      return meta.dataLines === 1
        ? cut(raw, text, meta.dataStart + at, NULL_MEMBER.length)
        : rewrite(raw, text, ev);
    }
    if (data.indexOf('"usage"') === -1) return raw;
    const usage = findMember(data, "usage");
    if (usage === undefined) return raw;
    if (valueIs(data, usage, "null")) {
      if (meta.dataLines !== 1) return rewrite(raw, text, ev);
      return cut(raw, text, meta.dataStart + usage.cutStart, usage.cutEnd - usage.cutStart);
    }
    // A non-null usage with no choices is the chunk include_usage added; Azure's first chunk has
    // `"choices":[]` too but no usage, so it is kept.
    const choices = findMember(data, "choices");
    return choices !== undefined && valueIs(data, choices, "[]") ? null : raw;
  }

  #emit(ev: SseEvent): void {
    const onEvent = this.#onEvent;
    if (onEvent === undefined) return;
    try {
      onEvent(ev);
    } catch (err) {
      this.#onEvent = undefined;
      this.#report(err);
    }
  }

  #fail(err: unknown): void {
    this.#broken = true;
    this.#report(err);
  }

  #report(err: unknown): void {
    try {
      this.#onError?.(err);
    } catch {
      // A failing reporter must not break the relay.
    }
  }
}

/**
 * `raw` without the `length` ASCII characters at string index `at` of its decoded `text`. The byte
 * offset is counted from the end, where only the short rest of the event has to be measured.
 */
function cut(raw: Uint8Array, text: string, at: number, length: number): Uint8Array {
  const end = raw.length - utf8Length(text, at + length);
  const start = end - length;
  for (let k = 0; k < length; k++) {
    if (raw[start + k] !== text.charCodeAt(at + k)) return raw; // not where expected: keep as is
  }
  const out = new Uint8Array(raw.length - length);
  out.set(raw.subarray(0, start));
  out.set(raw.subarray(end), start);
  return out;
}

/** Fallback for data split over several lines: re-serialised without `usage`, one data line. */
function rewrite(raw: Uint8Array, text: string, ev: SseEvent): Uint8Array {
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(ev.data);
  } catch {
    return raw;
  }
  delete obj.usage;
  const eol = text.includes("\r\n") ? "\r\n" : text.includes("\r") ? "\r" : "\n";
  let s = ev.event === undefined ? "" : `event: ${ev.event}${eol}`;
  if (ev.id !== undefined) s += `id: ${ev.id}${eol}`;
  return new TextEncoder().encode(`${s}data: ${JSON.stringify(obj)}${eol}${eol}`);
}

/** UTF-8 byte length of `s` from index `from` to its end. */
function utf8Length(s: string, from: number): number {
  let len = 0;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) len += 1;
    else if (c < 0x800) len += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      len += 4;
      i++;
    } else len += 3;
  }
  return len;
}

function concat(parts: Uint8Array[], last?: Uint8Array): Uint8Array {
  let len = last?.length ?? 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  if (last !== undefined) out.set(last, o);
  return out;
}

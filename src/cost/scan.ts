/**
 * Fast readers of log metadata for cost (the ledger rebuild at start, `azmw cost report`). Files are read
 * in large chunks into one reused buffer and decoded once per chunk; lines are found with `indexOf`.
 * Of each line only the plain metadata before `"request"` is parsed — never the sealed bodies — and the
 * rebuild's `scanCosts` parses not even that: it slices the caller object and reads `cost_eur` in place.
 *
 * This relies on the writer's key order (`logRecordOf()`: metadata first, `cost_eur` before `request`);
 * `,"request":` cannot occur inside a JSON string (its quotes would be escaped), so the cut is exact, and
 * any line that does not look as expected takes the slow path of a full `JSON.parse`. A line whose
 * metadata is complete counts even when a crash tore its bodies: the call happened and was billed.
 * Unreadable lines are skipped with a warning, never fatal.
 *
 * A started entry (written when an upstream accepted a stream) is not a call of its own: the call's record
 * closes it. One still open at the end of a scan is a stream the gateway was serving when it stopped; it is
 * reported once, priced at the reservation it logged (`unclosed` counts them).
 *
 * `scanCosts` can also hand over, in the same pass, the full metadata of the calls that ended in the last
 * rate window (`recent`, replayed into the rate limits at start). Records are appended when their call ends,
 * so a file's end times only grow: a chunk whose last record ended well before the window holds none of
 * them, and only the chunks that may are looked at record by record (two `indexOf`s and a `Date.parse`).
 */
import { isStartedEntry, type LogRecord, STARTED_HEAD, type StartedEntry } from "../logs/record.ts";

/** The plain metadata of a log record. */
export type LogMeta = Omit<LogRecord, "request" | "response">;

/** What a scan read. */
export interface ScanStats {
  files: number;
  /** Calls read: records, plus started entries no record closed. */
  records: number;
  skipped: number;
  bytes: number;
  /** Started entries no record closed (streams cut by a stop), counted at their reservation. */
  unclosed: number;
}

/** Options of the scanners. */
export interface ScanOptions {
  /** Reports skipped lines. */
  warn?: (message: string) => void;
}

/** What `scanCosts` hands over besides costs: the calls of the last rate window. */
export interface RecentScan {
  /** Wall-clock ms: wanted are the calls that ended after it. */
  since: number;
  /**
   * Gets the metadata of each call that ended after `since` (and of any whose end does not read), and of
   * every started entry no record closed (as `unclosedMeta()`: the stream ran until the stop).
   */
  onCall(meta: LogMeta): void;
}

const NEWLINE = 10;
const CHUNK = 4 * 1024 * 1024;
const CUT = ',"request":';
const HEAD = '{"v":1,';
const CALLER = '"caller":';
const AFTER_CALLER = ',"dialect":';
const COST = '"cost_eur":';
const HEAD_ID = '{"v":1,"id":"';
const TS = '"ts":"';
const LATENCY = '"latency_ms":';
/** How far before `since` a chunk's last call may have ended and the chunk still be looked at. */
const CHUNK_SLACK_MS = 60_000;

/** The metadata reported for a started entry that no record closed. */
export function unclosedMeta(entry: StartedEntry): LogMeta {
  return {
    v: 1,
    id: entry.id,
    ts: entry.ts,
    instance: entry.instance,
    caller: entry.caller,
    dialect: "",
    operation: null,
    model: entry.model,
    upstream: entry.upstream,
    deployment: entry.deployment,
    status: 0,
    stream: true,
    attempts: 1,
    latency_ms: 0,
    ttfb_ms: null,
    usage: null,
    usage_source: "estimated",
    cost_eur: entry.reserved_eur,
    error: {
      type: "interrupted",
      message: "The gateway stopped while this stream was running; priced at its reservation",
    },
  };
}

/** Started entries of a scan not yet closed by their record. */
class OpenStarts {
  readonly #open = new Map<string, StartedEntry>();

  /** Reads a started entry's line; returns why it is unreadable, or null. */
  add(text: string): string | null {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return "not valid JSON";
    }
    if (!isStartedEntry(value)) return "not a started entry";
    this.#open.set(value.id, value);
    return null;
  }

  /** Closes the entry of the record on `s.slice(start, end)` (`id` when it is already known). */
  close(s: string, start: number, end: number, id?: string): void {
    if (this.#open.size === 0) return;
    if (id === undefined) {
      if (!s.startsWith(HEAD_ID, start)) return;
      const stop = s.indexOf('"', start + HEAD_ID.length);
      if (stop < 0 || stop > end) return;
      id = s.slice(start + HEAD_ID.length, stop);
    }
    this.#open.delete(id);
  }

  /** The entries no record closed. */
  rest(): StartedEntry[] {
    return [...this.#open.values()];
  }
}

type LineFn = (s: string, start: number, end: number, torn: boolean, where: () => string) => void;

/**
 * Calls `onLine` for every non-empty line of `files`, in order, with its text as `s.slice(start, end)`;
 * `onChunk` first gets each decoded run of lines `s` (whole lines, or the torn rest of a file).
 */
async function eachLine(
  files: readonly string[],
  onLine: LineFn,
  onChunk?: (s: string) => void,
): Promise<{ bytes: number }> {
  const dec = new TextDecoder();
  let buf = new Uint8Array(CHUNK);
  let bytes = 0;
  for (const path of files) {
    let line = 0;
    const where = () => `line ${line} of ${path}`;
    const file = await Deno.open(path, { read: true });
    try {
      let filled = 0;
      while (true) {
        if (filled === buf.length) {
          const bigger = new Uint8Array(buf.length * 2);
          bigger.set(buf);
          buf = bigger;
        }
        const n = await file.read(buf.subarray(filled));
        if (n === null) break;
        bytes += n;
        filled += n;
        // A newline byte never occurs inside a multi-byte UTF-8 character, so lines decode whole.
        const last = buf.subarray(0, filled).lastIndexOf(NEWLINE);
        if (last < 0) continue;
        const s = dec.decode(buf.subarray(0, last + 1));
        onChunk?.(s);
        let pos = 0;
        let nl: number;
        while ((nl = s.indexOf("\n", pos)) !== -1) {
          line++;
          if (nl > pos) onLine(s, pos, nl, false, where);
          pos = nl + 1;
        }
        buf.copyWithin(0, last + 1, filled);
        filled -= last + 1;
      }
      if (filled > 0) {
        line++;
        const s = dec.decode(buf.subarray(0, filled));
        onChunk?.(s);
        onLine(s, 0, s.length, true, where);
      }
    } finally {
      file.close();
    }
  }
  return { bytes };
}

/** Calls `onRecord` with the metadata of every record in `files`, in order. */
export async function scanFiles(
  files: readonly string[],
  onRecord: (meta: LogMeta) => void,
  options: ScanOptions = {},
): Promise<ScanStats> {
  const stats: ScanStats = { files: files.length, records: 0, skipped: 0, bytes: 0, unclosed: 0 };
  const starts = new OpenStarts();
  const skip = (torn: boolean, where: () => string, why: string) => {
    stats.skipped++;
    options.warn?.(`Skipped ${torn ? "a torn last line, " : ""}${where()}: ${why}`);
  };
  const { bytes } = await eachLine(files, (s, start, end, torn, where) => {
    if (s.startsWith(STARTED_HEAD, start)) {
      const why = starts.add(s.slice(start, end));
      if (why !== null) skip(torn, where, why);
      return;
    }
    const meta = parseMeta(s, start, end);
    if (typeof meta !== "string") {
      starts.close(s, start, end, meta.id);
      stats.records++;
      onRecord(meta);
    } else skip(torn, where, meta);
  });
  for (const entry of starts.rest()) {
    stats.records++;
    stats.unclosed++;
    onRecord(unclosedMeta(entry));
  }
  stats.bytes = bytes;
  return stats;
}

/**
 * The rebuild's fast path: per record, the caller object as raw JSON text (equal callers give equal
 * text, so it can key a cache) and the logged cost — or, for a record without `cost_eur` or one that
 * does not look as expected, its parsed metadata. With `recent`, the last rate window's calls too.
 */
export async function scanCosts(
  files: readonly string[],
  onRecord: (caller: string, cost: number | LogMeta) => void,
  options: ScanOptions & { recent?: RecentScan } = {},
): Promise<ScanStats> {
  const recent = options.recent;
  const since = recent?.since ?? Infinity;
  // Whether the lines at hand may hold calls of the window (set per chunk; never without `recent`).
  let looking = false;
  const onChunk = recent && ((s: string) => looking = !(lastEnd(s) < since - CHUNK_SLACK_MS));
  const stats: ScanStats = { files: files.length, records: 0, skipped: 0, bytes: 0, unclosed: 0 };
  const starts = new OpenStarts();
  const skip = (torn: boolean, where: () => string, why: string) => {
    stats.skipped++;
    options.warn?.(`Skipped ${torn ? "a torn last line, " : ""}${where()}: ${why}`);
  };
  const { bytes } = await eachLine(files, (s, start, end, torn, where) => {
    if (s.startsWith(STARTED_HEAD, start)) {
      const why = starts.add(s.slice(start, end));
      if (why !== null) skip(torn, where, why);
      return;
    }
    const fast = torn ? null : fastCost(s, start, end);
    if (fast !== null) {
      starts.close(s, start, end);
      stats.records++;
      onRecord(fast.caller, fast.cost);
      if (looking && !(endOf(s, start, end) <= since)) {
        const meta = parseMeta(s, start, end);
        if (typeof meta !== "string") recent?.onCall(meta);
      }
      return;
    }
    const meta = parseMeta(s, start, end);
    if (typeof meta !== "string") {
      starts.close(s, start, end, meta.id);
      stats.records++;
      onRecord(JSON.stringify(meta.caller ?? null), meta);
      if (looking && !(Date.parse(meta.ts) + meta.latency_ms <= since)) recent?.onCall(meta);
    } else skip(torn, where, meta);
  }, onChunk);
  for (const entry of starts.rest()) {
    stats.records++;
    stats.unclosed++;
    onRecord(JSON.stringify(entry.caller ?? null), entry.reserved_eur ?? 0);
    recent?.onCall(unclosedMeta(entry));
  }
  stats.bytes = bytes;
  return stats;
}

/** Caller text and logged cost read in place, or null when the line needs the slow path. */
function fastCost(s: string, start: number, end: number): { caller: string; cost: number } | null {
  if (!s.startsWith(HEAD, start)) return null;
  const c = s.indexOf(CALLER, start);
  if (c < 0 || c > end) return null;
  const close = s.indexOf("}", c);
  // The caller is followed by "dialect"; a brace inside a caller's string lands elsewhere: slow path.
  if (close < 0 || close > end || !s.startsWith(AFTER_CALLER, close + 1)) return null;
  const k = s.indexOf(COST, close);
  if (k < 0 || k > end) return null;
  let stop = k + COST.length;
  while (stop < end && s.charCodeAt(stop) !== 44 /* , */ && s.charCodeAt(stop) !== 125 /* } */) stop++;
  const text = s.slice(k + COST.length, stop);
  if (text === "null") return null;
  const cost = Number(text);
  if (text === "" || !Number.isFinite(cost)) return null;
  return { caller: s.slice(c + CALLER.length, close + 1), cost };
}

/**
 * The end (wall-clock ms: `ts` + `latency_ms`) of the record on `s.slice(start, end)`, read in place; NaN
 * when it does not read. Like `CUT`, neither key can occur inside a JSON string.
 */
function endOf(s: string, start: number, end: number): number {
  const t = s.indexOf(TS, start);
  if (t < 0 || t > end) return NaN;
  const stop = s.indexOf('"', t + TS.length);
  const l = s.indexOf(LATENCY, stop);
  if (stop < 0 || l < 0 || l > end) return NaN;
  let e = l + LATENCY.length;
  while (e < end && s.charCodeAt(e) !== 44 /* , */ && s.charCodeAt(e) !== 125 /* } */) e++;
  return Date.parse(s.slice(t + TS.length, stop)) + Number(s.slice(l + LATENCY.length, e));
}

/** The end of the last record among the last lines of `s` (started entries skipped); NaN when none reads. */
function lastEnd(s: string): number {
  let stop = s.length;
  for (let tries = 0; tries < 16 && stop > 0; tries++) {
    if (s.charCodeAt(stop - 1) === NEWLINE) stop--;
    const start = s.lastIndexOf("\n", stop - 1) + 1;
    if (s.startsWith(HEAD_ID, start)) return endOf(s, start, stop);
    stop = start;
  }
  return NaN;
}

/** The metadata of one line, or why it has none. */
function parseMeta(s: string, start: number, end: number): LogMeta | string {
  const cut = s.indexOf(CUT, start);
  const text = cut >= 0 && cut < end ? `${s.slice(start, cut)}}` : s.slice(start, end);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "not valid JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a log record";
  const r = value as Record<string, unknown>;
  return r.v === 1 && typeof r.id === "string" && typeof r.ts === "string" && r.started === undefined
    ? r as unknown as LogMeta
    : "not a log record";
}

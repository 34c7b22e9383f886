/**
 * The record shipper: follows this replica's own log files (the durable source) and sends their records
 * to a shared table in batches, off the request path. What is queued is the file itself — only one batch
 * is ever in memory — and progress is the byte offset up to the last complete line, committed together
 * with the batch, so a replica that loses the server keeps serving, falls behind on disk only, and catches
 * up by itself (from where it was, even after a restart) once the server answers again.
 */
import { parseLogFileName } from "./files.ts";
import { isLogRecord, isStartedEntry, type LogRecord, type StartedEntry } from "./record.ts";

/** A batch of records of one file, shipped up to `offset`. */
export interface ShipBatch {
  /** The replica whose file it is. */
  instance: string;
  /** `YYYYMMDD/<file name>`, relative to the log dir. */
  file: string;
  day: string;
  offset: number;
  records: LogRecord[];
  /** Started entries of streamed calls (their record closes them, usually in a later batch). */
  started: StartedEntry[];
}

/** Where records go (the `call_records` table). */
export interface ShipTarget {
  /** Shipped bytes per file of `instance`. */
  offsets(instance: string): Promise<Map<string, number>>;
  /** Stores a batch and its offset atomically (at `now`); sending a batch twice changes nothing. */
  ship(batch: ShipBatch, now: number): Promise<void>;
}

/** Options of `RecordShipper`. */
export interface ShipperOptions {
  /** The log dir (`logs.dir`). */
  dir: string;
  /** This replica's name: only its own files are shipped. */
  instance: string;
  /** Pause between passes while the target answers; default 1000. */
  pollMs?: number;
  /** Pause after a failed pass; default 2000. */
  retryMs?: number;
  /** Most bytes of a file read into one batch; default 1 MiB. */
  batchBytes?: number;
  /** Day folders (newest first) looked at; default 7. */
  days?: number;
  /** Longest one call of the target may take before the pass counts as failed; default 30000. */
  timeoutMs?: number;
  now?: () => number;
  /** Unreadable lines (skipped) and failed passes. */
  warn?: (message: string) => void;
}

/** Counters for `/health` and `/metrics`. */
export interface ShipperStats {
  up: boolean;
  error: string | null;
  shipped: number;
  skipped: number;
  batches: number;
  failures: number;
  /** Bytes of this replica's files not shipped yet (as of the last pass). */
  pendingBytes: number;
}

const DAY_DIR = /^\d{8}$/;

/** Ships a replica's request records from its log files to a `ShipTarget`. */
export class RecordShipper {
  readonly #target: ShipTarget;
  readonly #o: Required<Omit<ShipperOptions, "warn">> & { warn: (m: string) => void };
  #offsets: Map<string, number> | null = null;
  #stats: ShipperStats = {
    up: false,
    error: null,
    shipped: 0,
    skipped: 0,
    batches: 0,
    failures: 0,
    pendingBytes: 0,
  };
  #running: Promise<boolean> = Promise.resolve(true);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /** Ships to `target`; call `start()` to follow the files. */
  constructor(target: ShipTarget, options: ShipperOptions) {
    this.#target = target;
    this.#o = {
      pollMs: 1_000,
      retryMs: 2_000,
      batchBytes: 1 << 20,
      days: 7,
      timeoutMs: 30_000,
      now: Date.now,
      warn: () => {},
      ...options,
    };
  }

  /** Starts following the files (a first pass now). */
  start(): void {
    void this.ship();
  }

  /** Runs one pass now (after any pass under way): ships everything written so far; `false` on failure. */
  ship(): Promise<boolean> {
    clearTimeout(this.#timer);
    this.#running = this.#running.then(() => this.#pass()).then((ok) => {
      if (!this.#stopped) {
        this.#timer = setTimeout(() => void this.ship(), ok ? this.#o.pollMs : this.#o.retryMs);
        Deno.unrefTimer(this.#timer as unknown as number);
      }
      return ok;
    });
    return this.#running;
  }

  /** Counters so far. */
  stats(): ShipperStats {
    return { ...this.#stats };
  }

  /**
   * Stops following after a last pass of at most 5 s, so a lost server does not hold up a shutdown (what
   * it cannot ship stays in the files for the next start).
   */
  async close(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    this.#o.timeoutMs = Math.min(this.#o.timeoutMs, 5_000);
    await this.#pass();
  }

  async #pass(): Promise<boolean> {
    try {
      this.#offsets ??= await this.#timed(this.#target.offsets(this.#o.instance));
      let pending = 0;
      for (const { rel, path, day } of await this.#files()) {
        pending += await this.#shipFile(rel, path, day);
      }
      this.#stats.pendingBytes = pending;
      this.#stats.up = true;
      this.#stats.error = null;
      return true;
    } catch (err) {
      if (this.#stats.up || this.#stats.error === null) {
        this.#o.warn(`Cannot ship request records, retrying: ${describe(err)}`);
      }
      this.#offsets = null; // a commit may have landed before the connection broke: ask again
      this.#stats.up = false;
      this.#stats.error = describe(err);
      this.#stats.failures++;
      return false;
    }
  }

  async #files(): Promise<{ rel: string; path: string; day: string }[]> {
    const days: string[] = [];
    try {
      for await (const e of Deno.readDir(this.#o.dir)) {
        if (e.isDirectory && DAY_DIR.test(e.name)) days.push(e.name);
      }
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return [];
      throw err;
    }
    days.sort();
    const out: { rel: string; path: string; day: string; index: number }[] = [];
    for (const day of days.slice(-this.#o.days)) {
      for await (const e of Deno.readDir(`${this.#o.dir}/${day}`)) {
        const parsed = e.isFile ? parseLogFileName(e.name) : null;
        if (parsed?.instance !== this.#o.instance) continue;
        out.push({
          rel: `${day}/${e.name}`,
          path: `${this.#o.dir}/${day}/${e.name}`,
          day,
          index: parsed.index,
        });
      }
    }
    return out.sort((a, b) => a.day < b.day ? -1 : a.day > b.day ? 1 : a.index - b.index);
  }

  /** Ships the complete lines of one file past its offset; returns the bytes still unshipped. */
  async #shipFile(rel: string, path: string, day: string): Promise<number> {
    const offsets = this.#offsets!;
    let offset = offsets.get(rel) ?? 0;
    const file = await Deno.open(path, { read: true });
    try {
      const { size } = await file.stat();
      let buf = new Uint8Array(Math.min(this.#o.batchBytes, Math.max(size - offset, 1)));
      while (offset < size) {
        await file.seek(offset, Deno.SeekMode.Start);
        let filled = 0;
        let end = -1;
        while (end < 0) {
          if (filled === buf.length) {
            if (offset + filled >= size) break;
            const bigger = new Uint8Array(buf.length * 2); // one line longer than a batch
            bigger.set(buf);
            buf = bigger;
          }
          const n = await file.read(buf.subarray(filled));
          if (n === null) break;
          filled += n;
          end = buf.subarray(0, filled).lastIndexOf(10);
        }
        if (end < 0) break; // only a line still being written (or torn): wait for its end
        const { records, started } = this.#parse(new TextDecoder().decode(buf.subarray(0, end)), rel);
        const next = offset + end + 1;
        const batch = { instance: this.#o.instance, file: rel, day, offset: next, records, started };
        await this.#timed(this.#target.ship(batch, this.#o.now()));
        offsets.set(rel, next);
        offset = next;
        this.#stats.shipped += records.length;
        this.#stats.batches++;
      }
      return size - offset;
    } finally {
      file.close();
    }
  }

  #timed<T>(p: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ms = this.#o.timeoutMs;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`The target did not answer within ${ms} ms`)), ms);
    });
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  }

  #parse(text: string, rel: string): { records: LogRecord[]; started: StartedEntry[] } {
    const records: LogRecord[] = [];
    const started: StartedEntry[] = [];
    for (const line of text.split("\n")) {
      if (line === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        value = undefined;
      }
      if (isLogRecord(value)) records.push(value);
      else if (isStartedEntry(value)) started.push(value);
      else {
        this.#stats.skipped++;
        this.#o.warn(`Skipped a line of ${rel} when shipping records: not a log record`);
      }
    }
    return { records, started };
  }
}

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === "string" && e.code !== "") return `${e.code}${e.message ? ` (${e.message})` : ""}`;
  return String(e?.message ?? err);
}

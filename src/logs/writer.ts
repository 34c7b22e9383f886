/**
 * The request log's writer, on the log thread (`log_worker.ts`): `push()` builds a record's sealed line at
 * once and queues it (synchronous, no I/O), so the sealing work is spread over time as records arrive
 * instead of coming in one burst. One task appends what was queued in a turn of the event loop to the
 * day's file at the end of that turn, in one write (batches of `batchSize` lines): the gateway thread posts
 * records at most once per flush interval apart from full batches (`log_thread.ts`), so that is one write
 * per interval at most, not one per record, and no timer. An idle writer sets no timer, except one to sync
 * data written less than one fsync interval ago. A full queue drops the record, counts it and warns at most
 * once per warning interval; `close()` writes everything still queued.
 */
import type { DayClock } from "./day.ts";
import type { LogFiles } from "./files.ts";
import { bodyBytes } from "./payload.ts";
import type { LogItem } from "./queued.ts";

/** Counters of a writer. */
export interface WriterStats {
  /** Records waiting or being written. */
  queued: number;
  /** Records appended to a file. */
  written: number;
  /** Records lost: queue full, log closed, or a failed write. */
  dropped: number;
  /** Bytes appended to files. */
  bytes: number;
}

/** What a writer needs. */
export interface WriterOptions {
  files: LogFiles;
  days: DayClock;
  /**
   * Builds the JSON line (without newline) of a record; called once per record, when it is queued. One
   * that throws loses that record (counted and warned about), never the writer.
   */
  line: (rec: LogItem) => string;
  queueSize: number;
  queueBytes: number;
  /** Lines per write at most. */
  batchSize: number;
  /** 0 syncs after every flush that wrote something. */
  fsyncIntervalMs: number;
  now: () => number;
  warn: (message: string) => void;
  /** Runs after each flush (daily retention hooks in here). */
  afterFlush?: () => Promise<void>;
}

/** A queued record: its body bytes (what it weighs in the queue), its day and its line with the newline. */
interface Queued {
  size: number;
  day: string;
  line: Uint8Array;
}

/** Warnings about drops or write failures are repeated at most this often. */
export const WARN_INTERVAL_MS = 10_000;
const enc = new TextEncoder();

/** A bounded queue of sealed lines, appended to files by one background task. */
export class LogWriter {
  readonly #o: WriterOptions;
  /** Queued lines, in the order their records came. */
  #queue: Queued[] = [];
  #queueBytes = 0;
  #inFlight = 0;
  #written = 0;
  #dropped = 0;
  #bytes = 0;
  #closing = false;
  #wake: (() => void) | null = null;
  /**
   * Wakes an idle writer to sync what it wrote: armed when the writer goes to sleep with data unsynced and
   * left armed while records wake it (it fires at most once per fsync interval), so writes one flush
   * interval apart do not set and clear a timer each.
   */
  #syncTimer: ReturnType<typeof setTimeout> | undefined;
  /** Records dropped because the queue was full, and how many of them were warned about. */
  #full = 0;
  #fullWarned = 0;
  #fullWarnedAt = -Infinity;
  #failWarnedAt = -Infinity;
  #unsynced = false;
  #syncedAt: number;
  readonly #done: Promise<void>;

  /** Starts the writer task. */
  constructor(options: WriterOptions) {
    this.#o = options;
    this.#syncedAt = options.now();
    this.#done = this.#run();
  }

  /** Queues a record; never blocks or throws (a full queue drops it and counts the drop). */
  push(rec: LogItem): void {
    const size = bodyBytes(rec);
    if (
      this.#closing || this.#queue.length >= this.#o.queueSize || this.#queueBytes + size > this.#o.queueBytes
    ) {
      this.#dropped++;
      if (!this.#closing) this.#full++;
      return;
    }
    let line: string;
    try {
      line = this.#o.line(rec);
    } catch (err) {
      // A record that cannot be turned into a line is lost, never the writer.
      this.#dropped++;
      this.#o.warn(`Cannot log record ${JSON.stringify(rec.id)}: ${(err as Error)?.message ?? err}`);
      return;
    }
    const day = this.#o.days.dayOf(Date.parse(rec.ts) || this.#o.now());
    this.#queue.push({ size, day, line: enc.encode(line + "\n") });
    this.#queueBytes += size;
    // Written at the end of this turn of the event loop, with whatever else it queues.
    this.#wakeUp();
  }

  /** Current counters. */
  stats(): WriterStats {
    return {
      queued: this.#queue.length + this.#inFlight,
      written: this.#written,
      dropped: this.#dropped,
      bytes: this.#bytes,
    };
  }

  /** Stops accepting records, writes every queued one, syncs and closes the files. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#wakeUp();
    await this.#done;
  }

  /** Wakes a sleeping task; a busy one finds what was queued meanwhile when it looks again. */
  #wakeUp(): void {
    const wake = this.#wake;
    if (wake === null) return;
    this.#wake = null;
    wake();
  }

  #sleep(): Promise<void> {
    // Records queued while the task wrote, synced or ran maintenance go at once.
    if (this.#closing || this.#queue.length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
      if (this.#unsynced && this.#o.fsyncIntervalMs > 0 && this.#syncTimer === undefined) {
        const wait = Math.max(0, this.#syncedAt + this.#o.fsyncIntervalMs - this.#o.now());
        this.#syncTimer = setTimeout(() => {
          this.#syncTimer = undefined;
          this.#wakeUp();
        }, wait);
      }
    });
  }

  async #run(): Promise<void> {
    try {
      while (true) {
        await this.#sleep();
        const closing = this.#closing;
        await this.#drain();
        await this.#sync(closing);
        this.#warnDrops(closing);
        if (closing) break;
        await this.#o.afterFlush?.().catch((err) => this.#o.warn(`Request log maintenance failed: ${err}`));
      }
    } finally {
      if (this.#syncTimer !== undefined) clearTimeout(this.#syncTimer);
      this.#syncTimer = undefined;
      this.#o.files.close();
    }
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.length <= this.#o.batchSize
        ? this.#queue
        : this.#queue.slice(0, this.#o.batchSize);
      this.#queue = batch === this.#queue ? [] : this.#queue.slice(batch.length);
      for (const q of batch) this.#queueBytes -= q.size;
      this.#inFlight = batch.length;
      await this.#write(batch);
      this.#inFlight = 0;
    }
  }

  async #write(batch: Queued[]): Promise<void> {
    const byDay = new Map<string, Uint8Array[]>();
    for (const { day, line } of batch) {
      let list = byDay.get(day);
      if (list === undefined) byDay.set(day, list = []);
      list.push(line);
    }
    for (const [day, list] of byDay) {
      try {
        this.#bytes += await this.#o.files.append(day, list);
        this.#written += list.length;
        this.#unsynced = true;
      } catch (err) {
        this.#dropped += list.length;
        if (this.#o.now() - this.#failWarnedAt >= WARN_INTERVAL_MS || this.#closing) {
          this.#failWarnedAt = this.#o.now();
          this.#o.warn(`Cannot write the request log for ${day}: ${(err as Error)?.message ?? err}`);
        }
      }
    }
  }

  async #sync(force: boolean): Promise<void> {
    if (!this.#unsynced) return;
    const now = this.#o.now();
    if (!force && this.#o.fsyncIntervalMs > 0 && now - this.#syncedAt < this.#o.fsyncIntervalMs) return;
    try {
      await this.#o.files.sync();
      this.#unsynced = false;
      this.#syncedAt = now;
    } catch (err) {
      this.#o.warn(`Cannot sync the request log: ${(err as Error)?.message ?? err}`);
    }
  }

  #warnDrops(force: boolean): void {
    const fresh = this.#full - this.#fullWarned;
    const now = this.#o.now();
    if (fresh === 0 || (!force && now - this.#fullWarnedAt < WARN_INTERVAL_MS)) return;
    this.#o.warn(
      `Request log queue is full: dropped ${fresh} records since the last warning (${this.#full} in total)`,
    );
    this.#fullWarned = this.#full;
    this.#fullWarnedAt = now;
  }
}

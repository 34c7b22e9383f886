/**
 * The main thread's side of the log thread: `sink` gathers finished calls and posts them in batches to the
 * worker that seals and writes them (`log_worker.ts`), so the request path pays for a structured clone of
 * each record instead of redaction, gzip, encryption and file I/O. Records are posted at most once per
 * flush interval (`logs.flush_interval_ms`): at once when the last post is an interval old, else with the
 * first record that finds it so, or by a timer an interval after the first waiting record came — at once
 * when a batch is full. The thread writes each post as it arrives, so a record reaches the file within
 * about one interval, and at c=1 (a call about every millisecond) there is one post, one wake-up of the
 * thread and one write per interval rather than per call, and no timer fires. Counters come back as the
 * thread writes (how often: `log_worker.ts`).
 */
import type { Config } from "../config/types.ts";
import type { CallRecord, CallStart } from "../core/record.ts";
import type { KeysData } from "./writer_parts.ts";
import type { FromLogThread, ToLogThread } from "./log_thread_protocol.ts";
import { type LogItem, queueCap, queuedCall, queuedStart } from "./queued.ts";
import { WARN_INTERVAL_MS, type WriterStats } from "./writer.ts";

/** What the log thread starts from. */
export interface LogThreadInit {
  config: Config;
  keys: KeysData;
  secrets: string[];
  /** The day whose retention run the main thread already did. */
  retainedFor: string;
  warn: (message: string) => void;
  /** Starts the thread (default: a Worker running `log_worker.ts`); tests pass a fake. */
  spawn?: () => LogWorker;
}

/** What the log thread's side here needs of its Worker. */
export interface LogWorker {
  postMessage(message: ToLogThread): void;
  terminate(): void;
  onmessage: ((e: MessageEvent<FromLogThread>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  onmessageerror: ((e: MessageEvent) => void) | null;
}

function spawnLogWorker(): LogWorker {
  return new Worker(new URL("./log_worker.ts", import.meta.url).href, { type: "module", name: "azmw-log" });
}

/** The request log's writer, running on its own thread. */
export class LogThread {
  readonly #worker: LogWorker;
  readonly #warn: (message: string) => void;
  readonly #batchSize: number;
  /** The flush interval: at most one post per interval, and no record waits longer for one. */
  readonly #intervalMs: number;
  readonly #queueSize: number;
  readonly #cap: number;
  #pending: LogItem[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #postedAt = -Infinity;
  /** Records posted to the thread so far. */
  #sent = 0;
  /** Records dropped before they reached the thread (log closed, thread failed or behind). */
  #dropped = 0;
  /** Records dropped because the thread was behind by a whole queue, and how many were warned about. */
  #behind = 0;
  #behindWarned = 0;
  #behindWarnedAt = -Infinity;
  #remote: WriterStats = { queued: 0, written: 0, dropped: 0, bytes: 0 };
  #failed: string | null = null;
  #closing = false;
  #closed: PromiseWithResolvers<void> = Promise.withResolvers();
  /** Callers of `report()` waiting for the thread's answer, in order. */
  #reports: PromiseWithResolvers<WriterStats>[] = [];
  #ready: PromiseWithResolvers<void> = Promise.withResolvers();
  /** Resolves once the thread has its keys and writer; rejects if it cannot start. */
  readonly ready: Promise<void> = this.#ready.promise;

  /** Starts the worker and hands it the config, keys and secrets. */
  constructor(init: LogThreadInit) {
    this.ready.catch(() => {}); // also reported through `warn`; callers that await it see the reason
    this.#warn = init.warn;
    // Posted at a full batch at the latest, so records wait here only up to the queue size's bound.
    this.#queueSize = init.config.logs.queueSize;
    this.#batchSize = Math.min(init.config.logs.batchSize, this.#queueSize);
    this.#intervalMs = init.config.logs.flushIntervalMs;
    this.#cap = queueCap(init.config.logs);
    this.#worker = (init.spawn ?? spawnLogWorker)();
    this.#worker.onmessage = (e: MessageEvent<FromLogThread>) => this.#receive(e.data);
    this.#worker.onerror = (e: ErrorEvent) => {
      // An uncaught error in the thread must not take the gateway down: the log is lost, not the service.
      e.preventDefault();
      this.#fail(e.message);
    };
    this.#worker.onmessageerror = () => this.#fail("a message from the log thread could not be read");
    const { config, keys, secrets, retainedFor } = init;
    this.#post({ t: "init", config, keys, secrets, retainedFor });
  }

  /**
   * Queues a finished call; synchronous, never throws. Its bodies are cut to the logged cap here, so the
   * queue never holds a caller's full body.
   */
  readonly sink = (rec: CallRecord): void => this.#queue(() => queuedCall(rec, this.#cap));

  /**
   * Queues the started entry of a streamed call whose upstream has accepted it (`reservedEur` is what the
   * budget holds for it); synchronous, never throws. Its record closes it when the stream ends.
   */
  readonly started = (rec: CallStart, reservedEur: number | null): void =>
    this.#queue(() => queuedStart(rec, reservedEur));

  #queue(item: () => LogItem): void {
    if (this.#closing || this.#failed !== null) {
      this.#dropped++;
      return;
    }
    // Records the thread has not reported written or dropped yet, plus those waiting here: when they fill
    // a whole queue the thread is behind, and messages must not pile up in its port without bound.
    if (this.#pending.length + this.#inThread() >= this.#queueSize) {
      this.#dropped++;
      this.#behind++;
      this.#warnBehind();
      return;
    }
    this.#pending.push(item());
    // Posted by the sink when it can be (a busy event loop runs a timer late, but it keeps calling the
    // sink); the timer only catches records no later one came for.
    if (this.#pending.length >= this.#batchSize || performance.now() - this.#postedAt >= this.#intervalMs) {
      this.#flush();
    } else this.#timer ??= setTimeout(() => this.#flush(), this.#intervalMs);
  }

  /** Counters: records waiting here or in the thread, written, dropped (here and there), bytes. */
  stats(): WriterStats {
    const r = this.#remote;
    const inThread = this.#failed === null ? this.#inThread() : 0;
    return {
      queued: this.#pending.length + inThread,
      written: r.written,
      dropped: this.#dropped + r.dropped + (this.#failed === null ? 0 : this.#inThread()),
      bytes: r.bytes,
    };
  }

  /** Seals the records posted from now on with `keys`, redacting `secrets` (a rotation). */
  rekey(keys: KeysData, secrets: string[]): void {
    this.#flush();
    this.#post({ t: "rekey", keys, secrets });
  }

  /**
   * Posts what is waiting and resolves with the thread's own counters once it has taken in every record
   * posted before (queued there, written or dropped); rejects once the log is closed or its thread failed.
   */
  report(): Promise<WriterStats> {
    this.#flush();
    if (this.#closing || this.#failed !== null) {
      return Promise.reject(new Error(this.#failed ?? "the request log is closed"));
    }
    const r = Promise.withResolvers<WriterStats>();
    this.#reports.push(r);
    this.#post({ t: "report" });
    return r.promise;
  }

  /** Posts what is waiting, lets the thread write everything and close its files, then ends it. */
  async close(): Promise<void> {
    if (!this.#closing) {
      this.#flush();
      this.#warnBehind(true);
      this.#closing = true;
      if (this.#failed === null) this.#post({ t: "close" });
      else this.#closed.resolve();
    }
    await this.#closed.promise;
    this.#worker.terminate();
  }

  /** Records posted that the thread has not reported written or dropped yet. */
  #inThread(): number {
    return Math.max(0, this.#sent - this.#remote.written - this.#remote.dropped);
  }

  /** Warns about drops at most once per interval (and at close, for the ones not yet warned about). */
  #warnBehind(force = false): void {
    const now = performance.now();
    if (this.#behind === this.#behindWarned || (!force && now - this.#behindWarnedAt < WARN_INTERVAL_MS)) {
      return;
    }
    this.#behindWarnedAt = now;
    this.#warn(
      `Request log thread is behind by a full queue: dropped ${this.#behind - this.#behindWarned} records ` +
        `since the last warning (${this.#behind} in total)`,
    );
    this.#behindWarned = this.#behind;
  }

  #flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const records = this.#pending;
    this.#pending = [];
    this.#postedAt = performance.now();
    if (this.#failed !== null) {
      this.#dropped += records.length;
      return;
    }
    this.#sent += records.length;
    this.#post({ t: "records", records });
  }

  #post(msg: ToLogThread): void {
    try {
      this.#worker.postMessage(msg);
    } catch (err) {
      this.#fail(`cannot post to the log thread: ${err instanceof Error ? err.message : err}`);
    }
  }

  #receive(msg: FromLogThread): void {
    switch (msg.t) {
      case "ready":
        this.#ready.resolve();
        return;
      case "stats":
        this.#remote = msg.stats;
        return;
      case "report":
        this.#remote = msg.stats;
        this.#reports.shift()?.resolve(msg.stats);
        return;
      case "warn":
        this.#warn(msg.message);
        return;
      case "closed":
        this.#remote = msg.stats;
        this.#closed.resolve();
        return;
      case "failed":
        this.#fail(msg.message);
        return;
    }
  }

  #fail(message: string): void {
    if (this.#failed !== null) return;
    this.#failed = message;
    this.#warn(`The request log thread failed; records are dropped from now on: ${message}`);
    this.#ready.reject(new Error(message));
    for (const r of this.#reports.splice(0)) r.reject(new Error(message));
    this.#closed.resolve();
  }
}

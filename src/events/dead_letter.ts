/**
 * The dead-letter files: events that could not be delivered (retries used up, refused, queue full,
 * shutdown deadline) are appended as JSON lines to `<dir>/<sink>-YYYYMMDD.jsonl` (UTC day), one line
 * per event with why it failed, so nothing is lost and they can be re-sent.
 */
import type { CloudEvent } from "./event.ts";

/** How long lines are gathered before they are appended. */
const FLUSH_DELAY_MS = 100;

/** One line of a dead-letter file. */
export interface DeadLetterLine {
  failed_at: string;
  sink: string;
  reason: string;
  attempts: number;
  event: CloudEvent;
}

/** Appends undeliverable events; writes are serialised and never throw (a failure goes to `warn`). */
export class DeadLetter {
  readonly #dir: string;
  readonly #now: () => number;
  readonly #warn: (message: string) => void;
  #chain: Promise<void> = Promise.resolve();
  readonly #pending = new Map<
    string,
    { failedAt: number; sink: string; reason: string; attempts: number; events: readonly CloudEvent[] }[]
  >();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Creates the writer; the folder is created on the first write. */
  constructor(dir: string, options: { now?: () => number; warn?: (message: string) => void } = {}) {
    this.#dir = dir;
    this.#now = options.now ?? Date.now;
    this.#warn = options.warn ?? (() => {});
  }

  /** The file of `sink` on the UTC day of `ms`. */
  pathOf(sink: string, ms: number = this.#now()): string {
    return `${this.#dir}/${sink}-${new Date(ms).toISOString().slice(0, 10).replaceAll("-", "")}.jsonl`;
  }

  /** Queues the lines of `events`; they are serialised and appended within 100 ms, or at `idle()`. */
  write(sink: string, events: readonly CloudEvent[], info: { reason: string; attempts: number }): void {
    if (events.length === 0) return;
    const ms = this.#now();
    const path = this.pathOf(sink, ms);
    const chunk = { failedAt: ms, sink, ...info, events };
    const queued = this.#pending.get(path);
    if (queued === undefined) this.#pending.set(path, [chunk]);
    else queued.push(chunk);
    if (this.#timer !== undefined) return;
    // Lines are gathered for a moment so a flood of them (a dead sink under load) costs few appends, and
    // serialised then, off the call that queued them.
    this.#timer = setTimeout(() => this.#drain(), FLUSH_DELAY_MS);
    Deno.unrefTimer(this.#timer);
  }

  #drain(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const path of this.#pending.keys()) this.#chain = this.#chain.then(() => this.#flush(path));
    return this.#chain;
  }

  async #flush(path: string): Promise<void> {
    const chunks = this.#pending.get(path);
    this.#pending.delete(path);
    if (chunks === undefined) return;
    let text = "";
    let count = 0;
    for (const c of chunks) {
      const failedAt = new Date(c.failedAt).toISOString();
      for (const event of c.events) {
        const line: DeadLetterLine = {
          failed_at: failedAt,
          sink: c.sink,
          reason: c.reason,
          attempts: c.attempts,
          event,
        };
        text += JSON.stringify(line) + "\n";
        count++;
      }
    }
    try {
      await Deno.mkdir(this.#dir, { recursive: true, mode: 0o700 });
      await Deno.writeTextFile(path, text, { append: true, create: true, mode: 0o600 });
    } catch (err) {
      this.#warn(
        `Cannot write ${count} event(s) to the dead-letter file "${path}": ${(err as Error).message}`,
      );
    }
  }

  /** Writes what is gathered now; resolves once every line queued so far is written. */
  idle(): Promise<void> {
    return this.#drain();
  }
}

/**
 * One sink's delivery queue: `push` is synchronous and never blocks (the request path calls it); a
 * worker sends batches of up to `batch_size` events, or what it has after `flush_interval_ms`, with
 * retries; what still fails goes to the dead-letter file. A full queue dead-letters the new event
 * rather than grow. `close` drains what is queued until a deadline, then dead-letters the rest.
 */
import type { EventType, SinkDeliveryConfig } from "../config/types.ts";
import type { DeadLetter } from "./dead_letter.ts";
import type { CloudEvent } from "./event.ts";
import type { DeadLetterReason, EventMetrics } from "./metrics.ts";
import { deliverWithRetry, REAL_RETRY_DEPS, realSleep, type RetryDeps } from "./retry.ts";
import type { Sink } from "./sink.ts";

/** What a queue needs besides its sink. */
export interface SinkQueueOptions {
  config: Omit<SinkDeliveryConfig, "name">;
  deadLetter: DeadLetter;
  metrics: EventMetrics;
  deps?: RetryDeps;
}

/** The bounded, batching, retrying queue in front of one sink. */
export class SinkQueue {
  readonly sink: Sink;
  readonly #o: SinkQueueOptions;
  readonly #deps: RetryDeps;
  readonly #types: ReadonlySet<EventType> | null;
  #queue: CloudEvent[] = [];
  #wake: PromiseWithResolvers<void> | null = null;
  #closing = false;
  readonly #abort = new AbortController();
  readonly #worker: Promise<void>;

  /** Creates the queue and starts its worker. */
  constructor(sink: Sink, options: SinkQueueOptions) {
    this.sink = sink;
    this.#o = options;
    this.#deps = options.deps ?? REAL_RETRY_DEPS;
    this.#types = options.config.types ? new Set(options.config.types) : null;
    options.metrics.trackQueue(sink.name, () => this.#queue.length);
    this.#worker = this.#run();
  }

  /** Whether this sink takes events of `type`. */
  accepts(type: EventType): boolean {
    return this.#types === null || this.#types.has(type);
  }

  /** Events waiting. */
  get depth(): number {
    return this.#queue.length;
  }

  /** Queues an event (synchronous); when full or closed it goes to the dead-letter file instead. */
  push(event: CloudEvent): void {
    if (this.#closing || this.#queue.length >= this.#o.config.queueSize) {
      this.#deadLetter([event], this.#closing ? "shutdown" : "queue_full", {
        reason: this.#closing ? "sink closed" : "queue full",
        attempts: 0,
      });
      return;
    }
    const length = this.#queue.push(event);
    // The worker waits for the first event, then for a full batch or the interval: other pushes need no wake.
    if (length === 1 || length === this.#o.config.batchSize) this.#notify();
  }

  /** Stops taking events, delivers what is queued until `deadlineMs`, dead-letters the rest. */
  async close(deadlineMs: number): Promise<void> {
    this.#closing = true;
    this.#notify();
    const stop = new AbortController();
    // The deadline is wall-clock time even when tests make the retry waits instant.
    const timer = realSleep(deadlineMs, stop.signal).then(() => "late" as const);
    const result = await Promise.race([this.#worker.then(() => "done" as const), timer]);
    stop.abort();
    if (result === "late") {
      this.#abort.abort();
      await this.#worker;
    }
    await this.#o.deadLetter.idle();
    await this.sink.close?.();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.resolve();
  }

  #signal(): Promise<void> {
    return (this.#wake ??= Promise.withResolvers<void>()).promise;
  }

  async #run(): Promise<void> {
    const { batchSize, flushIntervalMs } = this.#o.config;
    while (true) {
      if (this.#queue.length === 0) {
        if (this.#closing) return;
        await this.#signal();
        continue;
      }
      if (this.#queue.length < batchSize && !this.#closing) {
        const stop = new AbortController();
        const elapsed = this.#deps.sleep(flushIntervalMs, stop.signal).then(() => true);
        while (this.#queue.length < batchSize && !this.#closing) {
          if (await Promise.race([elapsed, this.#signal().then(() => false)])) break;
        }
        stop.abort();
      }
      await this.#send(this.#queue.splice(0, batchSize));
    }
  }

  async #send(batch: CloudEvent[]): Promise<void> {
    const { metrics } = this.#o;
    const name = this.sink.name;
    const outcome = await deliverWithRetry(this.sink, batch, {
      policy: this.#o.config,
      deps: this.#deps,
      signal: this.#abort.signal,
      onRetry: () => metrics.retried.inc({ sink: name }),
    });
    if (outcome.ok) {
      metrics.delivered.inc({ sink: name }, batch.length);
      return;
    }
    const reason: DeadLetterReason = outcome.aborted
      ? "shutdown"
      : outcome.attempts < this.#o.config.maxAttempts
      ? "refused"
      : "failed";
    this.#deadLetter(batch, reason, { reason: outcome.reason, attempts: outcome.attempts });
  }

  #deadLetter(
    events: CloudEvent[],
    label: DeadLetterReason,
    info: { reason: string; attempts: number },
  ): void {
    this.#o.metrics.deadLettered.inc({ sink: this.sink.name, reason: label }, events.length);
    this.#o.deadLetter.write(this.sink.name, events, info);
  }
}

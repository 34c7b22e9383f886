/**
 * `azmw dispatch`: delivery as its own process. A dispatcher reads every gateway's Redis Stream through
 * the consumer group named after its sink, so several dispatchers of one sink share the work. An entry is
 * acknowledged only once delivered (or dead-lettered), so a dispatcher that dies leaves its entries
 * pending, and another claims them (XAUTOCLAIM) once idle for `claimIdleMs`: at-least-once delivery,
 * a duplicate always carries the same CloudEvents id.
 */
import type { CloudEvent } from "./event.ts";
import type { DeadLetter } from "./dead_letter.ts";
import type { EventMetrics } from "./metrics.ts";
import { deliverWithRetry, type RetryDeps, type RetryPolicy } from "./retry.ts";
import type { EventsRedis } from "./redis_client.ts";
import type { Sink } from "./sink.ts";

/** Settings of a dispatcher. */
export interface DispatcherOptions {
  client: EventsRedis;
  sink: Sink;
  /** Stream key prefix (`events.redis.prefix`). */
  prefix: string;
  /** This consumer's name in the group (unique per process). */
  consumer: string;
  policy: RetryPolicy;
  batchSize: number;
  claimIdleMs: number;
  /** How long one read waits for new entries. */
  blockMs: number;
  deadLetter: DeadLetter;
  metrics: EventMetrics;
  deps: RetryDeps;
  /** Event types this sink takes; absent means all (others are acknowledged unsent). */
  types?: readonly string[];
  warn?: (message: string) => void;
}

interface Entry {
  stream: string;
  id: string;
  event: CloudEvent | null;
}

/** Reads, delivers and acknowledges stream entries for one sink. */
export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #groups = new Set<string>();
  readonly #abort = new AbortController();

  /** Creates the dispatcher (no I/O until `round` or `run`). */
  constructor(options: DispatcherOptions) {
    this.#o = options;
  }

  /** The consumer group of the sink. */
  get group(): string {
    return `sink:${this.#o.sink.name}`;
  }

  /** One round: claim idle pending entries, read new ones, deliver; returns how many were handled. */
  async round(): Promise<number> {
    const streams = await this.#streams();
    if (streams.length === 0) return 0;
    let handled = 0;
    for (const stream of streams) {
      const claimed = await this.#o.client.xAutoClaim(
        stream,
        this.group,
        this.#o.consumer,
        this.#o.claimIdleMs,
        "0-0",
        {
          COUNT: this.#o.batchSize,
        },
      );
      handled += await this.#handle(claimed.messages.flatMap((m) => m ? [entryOf(stream, m)] : []));
    }
    const read = await this.#o.client.xReadGroup(
      this.group,
      this.#o.consumer,
      streams.map((key) => ({ key, id: ">" })),
      { COUNT: this.#o.batchSize, BLOCK: this.#o.blockMs },
    );
    const replies = (read ?? []) as {
      name: string;
      messages: { id: string; message: Record<string, string> }[];
    }[];
    for (const s of replies) handled += await this.#handle(s.messages.map((m) => entryOf(s.name, m)));
    return handled;
  }

  /**
   * Runs rounds until `signal` aborts; a failed round is reported and retried after `blockMs`. On abort the
   * round in progress may finish its delivery for up to `graceMs`; after that it is cut off and its entries
   * stay pending for another dispatcher.
   */
  async run(signal: AbortSignal, options: { graceMs?: number } = {}): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cut = () => timer = setTimeout(() => this.#abort.abort(), options.graceMs ?? 10_000);
    signal.addEventListener("abort", cut, { once: true });
    while (!signal.aborted) {
      try {
        const n = await this.round();
        if (n === 0 && (await this.#streams()).length === 0) {
          await this.#o.deps.sleep(this.#o.blockMs, signal);
        }
      } catch (err) {
        if (signal.aborted) break;
        this.#o.warn?.(`Event dispatch round failed: ${(err as Error).message}`);
        await this.#o.deps.sleep(this.#o.blockMs, signal);
      }
    }
    clearTimeout(timer);
    signal.removeEventListener("abort", cut);
    await this.#o.deadLetter.idle();
  }

  async #streams(): Promise<string[]> {
    const streams = (await this.#o.client.sMembers(`${this.#o.prefix}streams`)).sort();
    for (const stream of streams) {
      if (this.#groups.has(stream)) continue;
      try {
        await this.#o.client.xGroupCreate(stream, this.group, "0", { MKSTREAM: true });
      } catch (err) {
        if (!String((err as Error).message).includes("BUSYGROUP")) throw err;
      }
      this.#groups.add(stream);
    }
    return streams;
  }

  async #handle(entries: Entry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const { metrics, sink } = this.#o;
    const seen = new Set<string>();
    const batch: CloudEvent[] = [];
    for (const e of entries) {
      if (e.event === null) continue;
      if (this.#o.types && !this.#o.types.includes(e.event.type)) continue;
      if (seen.has(e.event.id)) continue;
      seen.add(e.event.id);
      batch.push(e.event);
    }
    if (batch.length > 0) {
      const outcome = await deliverWithRetry(sink, batch, {
        policy: this.#o.policy,
        deps: this.#o.deps,
        signal: this.#abort.signal,
        onRetry: () => metrics.retried.inc({ sink: sink.name }),
      });
      // Left pending on shutdown: another dispatcher claims and delivers them.
      if (!outcome.ok && outcome.aborted) return 0;
      if (outcome.ok) metrics.delivered.inc({ sink: sink.name }, batch.length);
      else {
        const reason = outcome.attempts < this.#o.policy.maxAttempts ? "refused" : "failed";
        metrics.deadLettered.inc({ sink: sink.name, reason }, batch.length);
        this.#o.deadLetter.write(sink.name, batch, { reason: outcome.reason, attempts: outcome.attempts });
      }
    }
    const byStream = new Map<string, string[]>();
    for (const e of entries) byStream.set(e.stream, [...(byStream.get(e.stream) ?? []), e.id]);
    for (const [stream, ids] of byStream) await this.#o.client.xAck(stream, this.group, ids);
    return entries.length;
  }
}

function entryOf(stream: string, m: { id: string; message: Record<string, string> }): Entry {
  let event: CloudEvent | null = null;
  try {
    const parsed = JSON.parse(m.message.event ?? "");
    if (typeof parsed?.id === "string" && typeof parsed?.type === "string") event = parsed;
  } catch {
    // An entry that is not an event is acknowledged and skipped.
  }
  return { stream, id: m.id, event };
}

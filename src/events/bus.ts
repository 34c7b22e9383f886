/**
 * The event bus of a gateway process. `emit` is synchronous and cheap: it builds the CloudEvent and puts
 * it on the queue of every sink that takes its type, so a slow or dead sink never slows the request path.
 * With `bus: memory` the sinks run in this process; with `bus: redis` the only in-process sink is the
 * gateway's Redis Stream, and `azmw dispatch` delivers to the sinks. The legacy `budget.webhook` always
 * runs in-process.
 */
import type { Config, EventType, SinkConfig } from "../config/types.ts";
import { logRecordOf } from "../logs/record.ts";
import type { CallRecord, CallSink } from "../core/record.ts";
import { DeadLetter } from "./dead_letter.ts";
import { callCompletedData, cloudEvent, sourceOf } from "./event.ts";
import { EventMetrics } from "./metrics.ts";
import { SinkQueue } from "./queue.ts";
import { connectRedis } from "./redis_client.ts";
import { createStreamSink } from "./redis_bus.ts";
import type { RetryDeps } from "./retry.ts";
import { isSecretRef, resolveSecret } from "../config/secrets.ts";
import type { Sink } from "./sink.ts";
import { BUDGET_WEBHOOK_SINK, buildSink, sinkConfigs, type SinkDeps } from "./sinks.ts";
import { type Emit, EventWatch, type WatchSources } from "./watch.ts";
import { EVENT_TYPES, EVENTS_DEFAULTS } from "../config/schema_events.ts";

/** I/O of the bus. */
export interface EventBusDeps extends SinkDeps {
  /** Waits and randomness of retries (tests make them instant). */
  retry?: RetryDeps;
  warn?: (message: string) => void;
  /** Builds a sink from its config instead of the real ones (tests). */
  buildSink?: (sink: SinkConfig) => Sink | Promise<Sink>;
}

/** How long start-up waits for the first Redis connection. */
const REDIS_START_WAIT_MS = 2_000;

/** Settings of the Redis Stream sink of a gateway. */
const STREAM_QUEUE = {
  queueSize: 100_000,
  batchSize: 100,
  flushIntervalMs: 20,
  maxAttempts: 10,
  backoffMs: 100,
  maxBackoffMs: 5_000,
  timeoutMs: 5_000,
} as const;

/** A gateway's event bus. */
export class EventBus {
  /** Delivery metrics; register them with the gateway's registry. */
  readonly metrics: EventMetrics;
  readonly queues: readonly SinkQueue[];
  readonly #source: string;
  readonly #instance: string;
  readonly #wanted: ReadonlySet<EventType>;
  readonly #warnFn: (message: string) => void;
  #watch: EventWatch | null = null;

  private constructor(
    queues: SinkQueue[],
    metrics: EventMetrics,
    options: { instance: string; warn: (message: string) => void },
  ) {
    const { instance } = options;
    this.#warnFn = options.warn;
    this.queues = queues;
    this.metrics = metrics;
    this.#instance = instance;
    this.#source = sourceOf(instance);
    this.#wanted = new Set(EVENT_TYPES.filter((t) => queues.some((q) => q.accepts(t))));
  }

  /** Builds the sinks (secrets resolved) and starts their queues. */
  static async open(config: Config, deps: EventBusDeps = {}): Promise<EventBus> {
    const events = config.events;
    const metrics = new EventMetrics();
    const deadLetter = new DeadLetter(events?.deadLetterDir ?? EVENTS_DEFAULTS.deadLetterDir, {
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.warn ? { warn: deps.warn } : {}),
    });
    const queue = (sink: Sink, c: ConstructorParameters<typeof SinkQueue>[1]["config"]) =>
      new SinkQueue(sink, { config: c, deadLetter, metrics, ...(deps.retry ? { deps: deps.retry } : {}) });
    const make = (s: SinkConfig, path: string) =>
      deps.buildSink?.(s) ??
        buildSink(s, { path, instance: config.server.instance, timezone: config.server.timezone, deps });
    const queues: SinkQueue[] = [];
    const all = sinkConfigs(config);
    const local = events?.bus === "redis" ? all.filter((s) => s.name === BUDGET_WEBHOOK_SINK) : all;
    for (const s of local) {
      const path = s.name === BUDGET_WEBHOOK_SINK ? "budget.webhook" : `events.sinks[${all.indexOf(s)}]`;
      queues.push(queue(await make(s, path), s));
    }
    if (events?.bus === "redis" && events.sinks.length > 0) {
      const ref = config.shared?.redis ?? "";
      const url = isSecretRef(ref) ? await resolveSecret(ref, { ...deps, path: "shared.redis" }) : ref;
      const { client, ready } = await connectRedis(url, deps.warn ? { warn: deps.warn } : {});
      // Start-up waits a little for Redis so the first events need no retry; an outage does not block it.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([ready, new Promise((r) => timer = setTimeout(r, REDIS_START_WAIT_MS))]);
      clearTimeout(timer);
      const types = events.sinks.some((s) => s.types === undefined)
        ? undefined
        : [...new Set(events.sinks.flatMap((s) => s.types ?? []))];
      const sink = createStreamSink(client, {
        prefix: events.redis.prefix,
        instance: config.server.instance,
        maxLen: events.redis.maxLen,
      });
      queues.push(queue(sink, { ...STREAM_QUEUE, ...(types ? { types } : {}) }));
    }
    return new EventBus(queues, metrics, { instance: config.server.instance, warn: deps.warn ?? (() => {}) });
  }

  /** Whether any sink takes events of `type` (callers skip building data nobody wants). */
  wants(type: EventType): boolean {
    return this.#wanted.has(type);
  }

  /** Emits an event to every sink that takes its type; synchronous and never throws. */
  readonly emit: Emit = (type, data, options = {}) => {
    if (!this.#wanted.has(type)) return;
    this.metrics.emitted.inc({ type });
    const event = cloudEvent(type, data, { source: this.#source, ...options });
    for (const q of this.queues) if (q.accepts(type)) q.push(event);
  };

  /** The call-record sink: `azmw.call.completed` with the record's plain metadata (id = the call's id). */
  readonly callSink: CallSink = (record: CallRecord) => {
    if (!this.#wanted.has("azmw.call.completed")) return;
    const data = callCompletedData(logRecordOf(record, this.#instance));
    this.emit("azmw.call.completed", data, {
      id: record.id,
      subject: record.id,
      time: record.ts,
    });
  };

  /** Starts polling breakers, log drops and the audit trail every `intervalMs`. */
  watch(sources: WatchSources, intervalMs: number): EventWatch {
    this.#watch = new EventWatch(this.emit, sources);
    void this.#watch.tick().catch(() => {});
    this.#watch.start(intervalMs, (err) => this.#warn(err));
    return this.#watch;
  }

  #warn(err: unknown): void {
    this.#warnFn(`Event watch failed: ${err instanceof Error ? err.message : String(err)}`);
  }

  /** Stops watching, drains every queue until `deadlineMs`, dead-letters what is left. */
  async close(deadlineMs: number): Promise<void> {
    await this.#watch?.stop();
    await Promise.all(this.queues.map((q) => q.close(deadlineMs)));
  }
}

/**
 * Event delivery metrics: events emitted by type, and per sink delivered, retried (attempts beyond the
 * first, counted per batch), dead-lettered (by reason) and the queue depth at scrape time.
 */
import { Counter, Gauge, type Registry } from "../observability/registry.ts";

/** Why events went to the dead-letter file (a bounded label). */
export type DeadLetterReason = "failed" | "refused" | "queue_full" | "shutdown";

/** The counters of the event bus. */
export class EventMetrics {
  /** Events emitted, by type. */
  readonly emitted = new Counter("azmw_events_emitted_total", "Events emitted, by type", ["type"]);
  /** Events delivered, by sink. */
  readonly delivered = new Counter("azmw_events_delivered_total", "Events delivered, by sink", ["sink"]);
  /** Delivery retries (batches), by sink. */
  readonly retried = new Counter("azmw_events_retried_total", "Batch delivery retries, by sink", ["sink"]);
  /** Events written to the dead-letter file. */
  readonly deadLettered = new Counter(
    "azmw_events_dead_lettered_total",
    "Events written to the dead-letter file, by sink and reason",
    ["sink", "reason"],
  );
  /** Events waiting, by sink (read at scrape time). */
  readonly queueDepth = new Gauge("azmw_events_queue_depth", "Events waiting for delivery, by sink", [
    "sink",
  ]);
  readonly #depths = new Map<string, () => number>();

  /** Creates the metrics; the queue depth reads every tracked queue. */
  constructor() {
    this.queueDepth.collect(() => [...this.#depths].map(([sink, depth]) => [{ sink }, depth()]));
  }

  /** Tracks the depth of a sink's queue. */
  trackQueue(sink: string, depth: () => number): void {
    this.#depths.set(sink, depth);
  }

  /** Adds every metric to `registry`. */
  register(registry: Registry): void {
    for (const m of [this.emitted, this.delivered, this.retried, this.deadLettered, this.queueDepth]) {
      registry.add(m);
    }
  }
}

/**
 * Re-emits `azmw.call.completed` from the request logs (a backfill after an outage): every logged call of
 * a range of days, in file order, delivered to one sink in batches with its retries; what cannot be
 * delivered goes to the dead-letter file. Events carry the call's id and the logging instance's source,
 * so receivers de-duplicate what they already had from the live gateway.
 */
import { dayRange } from "../logs/day.ts";
import { dayFiles, readRecords } from "../logs/reader.ts";
import type { DeadLetter } from "./dead_letter.ts";
import { callCompletedEvent, type CloudEvent, sourceOf } from "./event.ts";
import type { EventMetrics } from "./metrics.ts";
import { deliverWithRetry, type RetryDeps, type RetryPolicy } from "./retry.ts";
import type { Sink } from "./sink.ts";

/** What a replay did. */
export interface ReplayStats {
  days: number;
  read: number;
  delivered: number;
  deadLettered: number;
}

/** Options of `replayCalls()`. */
export interface ReplayOptions {
  logDir: string;
  from: string;
  to: string;
  batchSize: number;
  policy: RetryPolicy;
  deps: RetryDeps;
  deadLetter: DeadLetter;
  metrics: EventMetrics;
  warn: (message: string) => void;
  signal?: AbortSignal;
}

/** Replays the calls logged from `from` to `to` (days `YYYYMMDD`, both included) into `sink`. */
export async function replayCalls(sink: Sink, options: ReplayOptions): Promise<ReplayStats> {
  const stats: ReplayStats = { days: 0, read: 0, delivered: 0, deadLettered: 0 };
  const signal = options.signal ?? new AbortController().signal;
  let batch: CloudEvent[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const events = batch;
    batch = [];
    const outcome = await deliverWithRetry(sink, events, {
      policy: options.policy,
      deps: options.deps,
      signal,
      onRetry: () => options.metrics.retried.inc({ sink: sink.name }),
    });
    if (outcome.ok) {
      stats.delivered += events.length;
      options.metrics.delivered.inc({ sink: sink.name }, events.length);
    } else {
      stats.deadLettered += events.length;
      options.metrics.deadLettered.inc(
        { sink: sink.name, reason: outcome.aborted ? "shutdown" : "failed" },
        events.length,
      );
      options.deadLetter.write(sink.name, events, { reason: outcome.reason, attempts: outcome.attempts });
    }
  };
  for (const day of dayRange(options.from, options.to)) {
    let files: string[];
    try {
      files = await dayFiles(options.logDir, day);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue;
      throw err;
    }
    stats.days++;
    for await (const { record } of readRecords(files, options.warn)) {
      stats.read++;
      batch.push(callCompletedEvent(record, sourceOf(record.instance)));
      if (batch.length >= options.batchSize) await flush();
    }
  }
  await flush();
  await options.deadLetter.idle();
  return stats;
}

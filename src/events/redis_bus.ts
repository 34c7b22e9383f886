/**
 * The gateway side of the Redis bus: events go to the gateway's own Redis Stream
 * (`<prefix><instance>`, field `event`), which is registered in the set `<prefix>streams` so dispatchers
 * find every gateway's stream. It is a sink like the others, so it has the same bounded queue, batching,
 * retries and dead-letter file when Redis is away.
 */
import type { EventsRedis } from "./redis_client.ts";
import { DeliveryError, type Sink } from "./sink.ts";

/** Key names of one bus. */
export function streamKeys(prefix: string, instance: string): { stream: string; streams: string } {
  return { stream: `${prefix}${instance}`, streams: `${prefix}streams` };
}

/** A sink that appends batches to a Redis Stream (one MULTI per batch). */
export function createStreamSink(
  client: EventsRedis,
  options: { prefix: string; instance: string; maxLen: number; name?: string },
): Sink {
  const keys = streamKeys(options.prefix, options.instance);
  let registered = false;
  return {
    name: options.name ?? "redis",
    async deliver(batch) {
      if (!client.isReady) {
        throw new DeliveryError("Redis of the event bus is not connected", { retryable: true });
      }
      try {
        const multi = client.multi();
        if (!registered) multi.sAdd(keys.streams, keys.stream);
        for (const event of batch) {
          multi.xAdd(keys.stream, "*", { event: JSON.stringify(event) }, {
            TRIM: { strategy: "MAXLEN", strategyModifier: "~", threshold: options.maxLen },
          });
        }
        await multi.exec();
        registered = true;
      } catch (err) {
        throw new DeliveryError(`Cannot add events to the Redis Stream: ${(err as Error).message}`, {
          retryable: true,
          cause: err,
        });
      }
    },
    async close() {
      if (client.isOpen) await client.close().catch(() => {});
    },
  };
}

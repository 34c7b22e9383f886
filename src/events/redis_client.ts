/**
 * The Redis connection of the event bus (node-redis): commands fail at once while disconnected instead
 * of queueing in memory, and connection errors go to `warn` (once per outage) instead of crashing.
 */
import type { createClient } from "redis";

/** The client type used by the event bus. */
export type EventsRedis = ReturnType<typeof createClient>;

/**
 * Creates a client for `url` and starts connecting; `ready` settles on the first connection. `redis` is
 * loaded here, on first use, so configs without a Redis event bus never pay its memory.
 */
export async function connectRedis(
  url: string,
  options: { warn?: (message: string) => void } = {},
): Promise<{ client: EventsRedis; ready: Promise<void> }> {
  const { createClient } = await import("redis");
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2_000) },
  });
  let down = false;
  client.on("error", (err: Error) => {
    if (down) return;
    down = true;
    // The URL may carry a password, so only the error's message is reported.
    options.warn?.(`Redis of the event bus is unavailable: ${err.message}`);
  });
  client.on("ready", () => down = false);
  const ready = client.connect().then(() => {}, () => {});
  return { client, ready };
}

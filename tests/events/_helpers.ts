/** Shared pieces of the event tests: a fake sink, instant retry waits, events, a local HTTP receiver. */
import { type CloudEvent, cloudEvent } from "../../src/events/event.ts";
import { EventMetrics } from "../../src/events/metrics.ts";
import type { RetryDeps } from "../../src/events/retry.ts";
import { DeliveryError, type Sink } from "../../src/events/sink.ts";

/** `n` events of type `azmw.call.completed` with ids `e0`… */
export function events(n: number, prefix = "e"): CloudEvent[] {
  return Array.from(
    { length: n },
    (_, i) =>
      cloudEvent("azmw.call.completed", { i }, { source: "/azmw/test", id: `${prefix}${i}`, time: 0 }),
  );
}

/** Retry waits that return at once and are recorded. */
export function instantRetry(random = 0.5): RetryDeps & { waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    random: () => random,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  };
}

/** A sink that fails the first `failures` deliveries (forever with Infinity), then records batches. */
export function fakeSink(options: { failures?: number; retryable?: boolean; name?: string } = {}) {
  const batches: CloudEvent[][] = [];
  let failures = options.failures ?? 0;
  let attempts = 0;
  const arrived: (() => void)[] = [];
  const sink: Sink & {
    batches: CloudEvent[][];
    attempts: () => number;
    delivered: (n: number) => Promise<void>;
  } = {
    name: options.name ?? "fake",
    batches,
    attempts: () => attempts,
    deliver(batch) {
      attempts++;
      if (failures > 0) {
        failures--;
        return Promise.reject(new DeliveryError("down", { retryable: options.retryable ?? true }));
      }
      batches.push([...batch]);
      arrived.splice(0).forEach((f) => f());
      return Promise.resolve();
    },
    delivered(n) {
      return new Promise((resolve) => {
        const check = () => batches.flat().length >= n ? resolve() : arrived.push(check);
        check();
      });
    },
  };
  return sink;
}

/** Fresh metrics. */
export const metrics = () => new EventMetrics();

/** A local HTTP receiver on port 0 that records requests and answers with `answer()`. */
export function receiver(
  answer: (req: Request, body: string) => Response | Promise<Response> = () => new Response("ok"),
) {
  const received: { req: { url: string; method: string; headers: Headers }; body: string }[] = [];
  const waiters: (() => void)[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.text();
    received.push({ req: { url: req.url, method: req.method, headers: new Headers(req.headers) }, body });
    waiters.splice(0).forEach((w) => w());
    return answer(req, body);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    received,
    /** Resolves once `n` requests arrived. */
    reached: (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => received.length >= n ? resolve() : waiters.push(check);
        check();
      }),
    close: () => server.shutdown(),
  };
}

/** Lines of a JSONL file, parsed. */
export async function jsonl<T = Record<string, unknown>>(path: string): Promise<T[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

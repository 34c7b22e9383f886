/** Against the real Redis on 127.0.0.1:6379, each test with its own key prefix, removed afterwards. */
import assert from "node:assert/strict";
import { DeadLetter } from "../../src/events/dead_letter.ts";
import { Dispatcher } from "../../src/events/dispatcher.ts";
import type { CloudEvent } from "../../src/events/event.ts";
import { SinkQueue } from "../../src/events/queue.ts";
import { createStreamSink, streamKeys } from "../../src/events/redis_bus.ts";
import { connectRedis, type EventsRedis } from "../../src/events/redis_client.ts";
import type { Sink } from "../../src/events/sink.ts";
import { events, fakeSink, instantRetry, metrics } from "./_helpers.ts";

const URL = "redis://127.0.0.1:6379";
const POLICY = { maxAttempts: 3, backoffMs: 10, maxBackoffMs: 100 };

async function withRedis(
  fn: (r: { client: EventsRedis; prefix: string; open: () => Promise<EventsRedis> }) => Promise<void>,
) {
  const prefix = `azmw-test:${crypto.randomUUID()}:`;
  const clients: EventsRedis[] = [];
  const open = async () => {
    const { client, ready } = await connectRedis(URL);
    await ready;
    clients.push(client);
    return client;
  };
  const client = await open();
  try {
    await fn({ client, prefix, open });
  } finally {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(keys);
    for (const c of clients) if (c.isOpen) c.destroy();
  }
}

async function publish(client: EventsRedis, prefix: string, instance: string, batch: CloudEvent[]) {
  const sink = createStreamSink(client, { prefix, instance, maxLen: 10_000 });
  await sink.deliver(batch, new AbortController().signal);
}

function dispatcher(client: EventsRedis, prefix: string, sink: Sink, consumer: string, claimIdleMs = 60_000) {
  return new Dispatcher({
    client,
    sink,
    prefix,
    consumer,
    policy: POLICY,
    batchSize: 10,
    claimIdleMs,
    blockMs: 10,
    deadLetter: new DeadLetter(Deno.makeTempDirSync()),
    metrics: metrics(),
    deps: instantRetry(),
  });
}

Deno.test("the stream sink appends events to the gateway's stream and registers it", async () => {
  await withRedis(async ({ client, prefix, open }) => {
    // The sink owns its client and closes it with the queue.
    const q = new SinkQueue(createStreamSink(await open(), { prefix, instance: "gw1", maxLen: 10_000 }), {
      config: {
        queueSize: 100,
        batchSize: 10,
        flushIntervalMs: 1,
        maxAttempts: 3,
        backoffMs: 1,
        maxBackoffMs: 1,
        timeoutMs: 1,
      },
      deadLetter: new DeadLetter(Deno.makeTempDirSync()),
      metrics: metrics(),
      deps: instantRetry(),
    });
    for (const e of events(25)) q.push(e);
    await q.close(5_000);
    const keys = streamKeys(prefix, "gw1");
    assert.deepEqual(await client.sMembers(keys.streams), [keys.stream]);
    const entries = await client.xRange(keys.stream, "-", "+");
    assert.deepEqual(entries.map((e) => JSON.parse(e.message.event!).id), events(25).map((e) => e.id));
  });
});

Deno.test("the stream sink fails retryably while Redis is not connected", async () => {
  const { client } = await connectRedis("redis://127.0.0.1:1");
  try {
    const sink = createStreamSink(client, { prefix: "x:", instance: "gw", maxLen: 1_000 });
    await assert.rejects(sink.deliver(events(1), new AbortController().signal), /not connected/);
  } finally {
    client.destroy();
  }
});

Deno.test("two dispatchers share two gateways' streams: every event delivered once", async () => {
  await withRedis(async ({ client, prefix, open }) => {
    await publish(client, prefix, "gw1", events(60, "a"));
    await publish(client, prefix, "gw2", events(60, "b"));
    const sink = fakeSink();
    const one = dispatcher(await open(), prefix, sink, "one");
    const two = dispatcher(await open(), prefix, sink, "two");
    let idle = 0;
    while (idle < 2) {
      const [x, y] = await Promise.all([one.round(), two.round()]);
      idle = x + y === 0 ? idle + 1 : 0;
    }
    const ids = sink.batches.flat().map((e) => e.id).sort();
    assert.deepEqual(ids, [...events(60, "a"), ...events(60, "b")].map((e) => e.id).sort());
    const pending = await client.xPending(streamKeys(prefix, "gw1").stream, one.group);
    assert.equal(pending.pending, 0);
  });
});

Deno.test("a dispatcher killed mid-batch loses nothing: another claims its entries, duplicates keep their id", async () => {
  await withRedis(async ({ client, prefix, open }) => {
    const all = events(30);
    await publish(client, prefix, "gw1", all);
    const received: CloudEvent[] = [];
    const midBatch = Promise.withResolvers<void>();
    // Delivers to the receiver, then hangs before the acknowledgement: the process dies here.
    const dying: Sink = {
      name: "hook",
      deliver: (batch) => {
        received.push(...batch);
        midBatch.resolve();
        return new Promise(() => {});
      },
    };
    const doomed = await open();
    void dispatcher(doomed, prefix, dying, "doomed").round();
    await midBatch.promise;
    doomed.destroy();
    const survivor: Sink = {
      name: "hook",
      deliver: (batch) => {
        received.push(...batch);
        return Promise.resolve();
      },
    };
    const d = dispatcher(await open(), prefix, survivor, "survivor", 0);
    let idle = 0;
    while (idle < 2) idle = (await d.round()) === 0 ? idle + 1 : 0;
    const ids = received.map((e) => e.id);
    assert.deepEqual([...new Set(ids)].sort(), all.map((e) => e.id).sort());
    // The doomed batch arrived twice, each copy with the same CloudEvents id and content.
    assert.equal(ids.length, 40);
    const byId = new Map<string, string>();
    for (const e of received) {
      const text = JSON.stringify(e);
      assert.equal(byId.get(e.id) ?? text, text);
      byId.set(e.id, text);
    }
  });
});

Deno.test("a dispatcher dead-letters what its sink refuses and acknowledges it", async () => {
  await withRedis(async ({ client, prefix, open }) => {
    await publish(client, prefix, "gw1", events(5));
    const sink = fakeSink({ failures: Infinity });
    const dir = Deno.makeTempDirSync();
    const dl = new DeadLetter(dir);
    const d = new Dispatcher({
      client: await open(),
      sink,
      prefix,
      consumer: "c",
      policy: POLICY,
      batchSize: 10,
      claimIdleMs: 60_000,
      blockMs: 10,
      deadLetter: dl,
      metrics: metrics(),
      deps: instantRetry(),
      types: ["azmw.call.completed"],
    });
    assert.equal(await d.round(), 5);
    await dl.idle();
    assert.equal(sink.attempts(), 3);
    const lines = Deno.readTextFileSync(dl.pathOf("fake")).trim().split("\n");
    assert.equal(lines.length, 5);
    assert.equal((await client.xPending(streamKeys(prefix, "gw1").stream, d.group)).pending, 0);
  });
});

Deno.test("Dispatcher.run() stops on abort and acknowledges non-events", async () => {
  await withRedis(async ({ client, prefix, open }) => {
    const keys = streamKeys(prefix, "gw1");
    await client.sAdd(keys.streams, keys.stream);
    await client.xAdd(keys.stream, "*", { event: "not json" });
    await client.xAdd(keys.stream, "*", { event: JSON.stringify(events(1)[0]) });
    const sink = fakeSink();
    const d = dispatcher(await open(), prefix, sink, "c");
    const ac = new AbortController();
    const running = d.run(ac.signal);
    await sink.delivered(1);
    ac.abort();
    await running;
    assert.deepEqual(sink.batches.flat().map((e) => e.id), ["e0"]);
    assert.equal((await client.xPending(keys.stream, d.group)).pending, 0);
  });
});

Deno.test("Dispatcher.run() cuts a hanging delivery off after the grace and leaves it pending", async () => {
  await withRedis(async ({ client, prefix, open }) => {
    await publish(client, prefix, "gw1", events(3));
    const started = Promise.withResolvers<void>();
    const hanging: Sink = {
      name: "hook",
      deliver: (_batch, signal) =>
        new Promise((_, reject) => {
          started.resolve();
          signal.addEventListener("abort", () => reject(new Error("cut off")));
        }),
    };
    const d = dispatcher(await open(), prefix, hanging, "c");
    const ac = new AbortController();
    const running = d.run(ac.signal, { graceMs: 10 });
    await started.promise;
    ac.abort();
    await running;
    assert.equal((await client.xPending(streamKeys(prefix, "gw1").stream, d.group)).pending, 3);
  });
});

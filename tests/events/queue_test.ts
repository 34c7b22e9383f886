import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { DeadLetter } from "../../src/events/dead_letter.ts";
import { SinkQueue } from "../../src/events/queue.ts";
import { deliverWithRetry, realSleep } from "../../src/events/retry.ts";
import { events, fakeSink, instantRetry, jsonl, metrics } from "./_helpers.ts";

const CONFIG = {
  queueSize: 100,
  batchSize: 10,
  flushIntervalMs: 1_000,
  maxAttempts: 4,
  backoffMs: 100,
  maxBackoffMs: 1_000,
  timeoutMs: 1_000,
};

async function tempDir() {
  return await Deno.makeTempDir({ prefix: "azmw-events-" });
}

Deno.test("SinkQueue retries a sink that is down, then delivers", async () => {
  const dir = await tempDir();
  const sink = fakeSink({ failures: 2 });
  // Attempt 2 waits below 100 ms, attempt 3 below 200 ms: full jitter of an exponential backoff.
  const retry = instantRetry(0.5);
  const m = metrics();
  const q = new SinkQueue(sink, { config: CONFIG, deadLetter: new DeadLetter(dir), metrics: m, deps: retry });
  for (const e of events(10)) q.push(e);
  await sink.delivered(10);
  assertEquals(sink.attempts(), 3);
  assertEquals(sink.batches.length, 1);
  // Waits before attempts 2 and 3: half of 100 and of 200 (random 0.5).
  assertEquals(retry.waits, [50, 100]);
  await q.close(1_000);
  assertEquals(m.retried.get({ sink: "fake" }), 2);
  assertEquals(m.delivered.get({ sink: "fake" }), 10);
  assertEquals([...Deno.readDirSync(dir)].length, 0);
});

Deno.test("SinkQueue dead-letters a batch a sink never takes, after every attempt", async () => {
  const dir = await tempDir();
  const sink = fakeSink({ failures: Infinity });
  const m = metrics();
  const dl = new DeadLetter(dir, { now: () => Date.UTC(2026, 11, 4) });
  const q = new SinkQueue(sink, { config: CONFIG, deadLetter: dl, metrics: m, deps: instantRetry() });
  for (const e of events(3)) q.push(e);
  await q.close(5_000);
  assertEquals(sink.attempts(), 4);
  const lines = await jsonl<{ reason: string; attempts: number; event: { id: string }; sink: string }>(
    `${dir}/fake-20261204.jsonl`,
  );
  assertEquals(lines.map((l) => l.event.id), ["e0", "e1", "e2"]);
  assertEquals(lines[0]!.attempts, 4);
  assertEquals(lines[0]!.reason, "down");
  assertEquals(m.deadLettered.get({ sink: "fake", reason: "failed" }), 3);
});

Deno.test("SinkQueue dead-letters a refused batch without retrying", async () => {
  const dir = await tempDir();
  const sink = fakeSink({ failures: 1, retryable: false });
  const m = metrics();
  const q = new SinkQueue(sink, {
    config: CONFIG,
    deadLetter: new DeadLetter(dir),
    metrics: m,
    deps: instantRetry(),
  });
  q.push(events(1)[0]!);
  await q.close(5_000);
  assertEquals(sink.attempts(), 1);
  assertEquals(m.deadLettered.get({ sink: "fake", reason: "refused" }), 1);
});

Deno.test("SinkQueue dead-letters events beyond its size instead of growing", async () => {
  const dir = await tempDir();
  const sink = fakeSink();
  const m = metrics();
  const dl = new DeadLetter(dir);
  const q = new SinkQueue(sink, {
    config: { ...CONFIG, queueSize: 5, batchSize: 100 },
    deadLetter: dl,
    metrics: m,
    deps: instantRetry(),
  });
  for (const e of events(8)) q.push(e);
  assertEquals(q.depth, 5);
  assertEquals(m.deadLettered.get({ sink: "fake", reason: "queue_full" }), 3);
  await q.close(5_000);
  assertEquals(sink.batches.flat().map((e) => e.id), ["e0", "e1", "e2", "e3", "e4"]);
  assertEquals((await jsonl<{ event: { id: string } }>(dl.pathOf("fake"))).map((l) => l.event.id), [
    "e5",
    "e6",
    "e7",
  ]);
});

Deno.test("SinkQueue sends full batches at once and a partial one after the interval", async () => {
  const clock = FakeTimers.withGlobal(globalThis).install({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  try {
    const sink = fakeSink();
    const q = new SinkQueue(sink, {
      config: CONFIG,
      deadLetter: new DeadLetter("/nonexistent"),
      metrics: metrics(),
      deps: { sleep: realSleep, random: () => 0 },
    });
    for (const e of events(13)) q.push(e);
    await sink.delivered(10);
    assertEquals(sink.batches.map((b) => b.length), [10]);
    await clock.tickAsync(999);
    assertEquals(sink.batches.length, 1);
    await clock.tickAsync(1);
    await sink.delivered(13);
    assertEquals(sink.batches.map((b) => b.length), [10, 3]);
    const closed = q.close(1_000);
    await clock.tickAsync(0);
    await closed;
  } finally {
    clock.uninstall();
  }
});

Deno.test("SinkQueue.close() drains what is queued, then dead-letters what arrives after", async () => {
  const dir = await tempDir();
  const sink = fakeSink();
  const m = metrics();
  const q = new SinkQueue(sink, {
    config: { ...CONFIG, batchSize: 4 },
    deadLetter: new DeadLetter(dir),
    metrics: m,
    deps: instantRetry(),
  });
  for (const e of events(9)) q.push(e);
  const closing = q.close(5_000);
  q.push(events(1, "late")[0]!);
  await closing;
  assertEquals(sink.batches.flat().length, 9);
  assertEquals(m.deadLettered.get({ sink: "fake", reason: "shutdown" }), 1);
});

Deno.test("SinkQueue.close() dead-letters the rest when a sink hangs past the deadline", async () => {
  const dir = await tempDir();
  const m = metrics();
  const dl = new DeadLetter(dir);
  const sink = {
    name: "hang",
    deliver: (_: unknown, signal: AbortSignal) =>
      new Promise<void>((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted")))),
  };
  const q = new SinkQueue(sink, {
    config: { ...CONFIG, batchSize: 2 },
    deadLetter: dl,
    metrics: m,
    deps: instantRetry(),
  });
  for (const e of events(5)) q.push(e);
  await q.close(20);
  const lines = await jsonl<{ event: { id: string } }>(dl.pathOf("hang"));
  assertEquals(lines.map((l) => l.event.id).sort(), ["e0", "e1", "e2", "e3", "e4"]);
  assertEquals(m.deadLettered.get({ sink: "hang", reason: "shutdown" }), 5);
});

Deno.test("deliverWithRetry() stops at once when already aborted", async () => {
  const ac = new AbortController();
  ac.abort();
  const sink = fakeSink();
  const out = await deliverWithRetry(sink, events(1), {
    policy: CONFIG,
    deps: instantRetry(),
    signal: ac.signal,
  });
  assert(!out.ok && out.aborted);
  assertEquals(sink.attempts(), 0);
});

Deno.test("DeadLetter reports a write it cannot do instead of throwing", async () => {
  const file = await Deno.makeTempFile();
  const warnings: string[] = [];
  const dl = new DeadLetter(`${file}/sub`, { warn: (m) => warnings.push(m) });
  dl.write("s", events(1), { reason: "x", attempts: 1 });
  await dl.idle();
  assertEquals(warnings.length, 1);
  assert(warnings[0]!.startsWith("Cannot write 1 event(s) to the dead-letter file"));
});

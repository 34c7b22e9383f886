import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { LogThread, type LogWorker } from "../../src/logs/log_thread.ts";
import type { FromLogThread, ToLogThread } from "../../src/logs/log_thread_protocol.ts";
import { callRecord, logConfig } from "./_util.ts";

/** A log thread that records what it is posted, and when; it answers `close` at once. */
function fakeWorker(now: () => number) {
  const posts: { at: number; ids: string[] }[] = [];
  const worker: LogWorker = {
    onmessage: null,
    onerror: null,
    onmessageerror: null,
    postMessage(msg: ToLogThread) {
      if (msg.t === "records") posts.push({ at: now(), ids: msg.records.map((r) => r.id) });
      if (msg.t === "close") {
        const stats = { queued: 0, written: 0, dropped: 0, bytes: 0 };
        queueMicrotask(() =>
          worker.onmessage?.({ data: { t: "closed", stats } } as MessageEvent<FromLogThread>)
        );
      }
    },
    terminate() {},
  };
  return { worker, posts };
}

Deno.test("LogThread posts at most once per flush interval: at once after a quiet one, with the first record that finds it over, or an interval after the first waiting one; a full batch at once", async () => {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "performance"], now: 0 });
  try {
    const fake = fakeWorker(() => clock.now);
    const thread = new LogThread({
      config: logConfig("/tmp/unused", { flushIntervalMs: 5, batchSize: 4 }),
      keys: { global: [], projects: [] },
      secrets: [],
      retainedFor: "",
      warn: (m) => assert.fail(m),
      spawn: () => fake.worker,
    });
    const sink = (id: string) => thread.sink(callRecord({ id }));
    await clock.tickAsync(100);
    sink("a");
    assert.deepEqual(fake.posts, [{ at: 100, ids: ["a"] }], "a quiet interval: posted at once");
    await clock.tickAsync(1);
    sink("b");
    await clock.tickAsync(2);
    sink("c");
    await clock.tickAsync(2);
    sink("d");
    assert.deepEqual(fake.posts.slice(1), [{ at: 105, ids: ["b", "c", "d"] }], "d finds the interval over");
    assert.equal(clock.countTimers(), 0, "no timer is left waiting");
    await clock.tickAsync(1);
    sink("e");
    await clock.tickAsync(4);
    assert.equal(fake.posts.length, 2);
    await clock.tickAsync(1);
    assert.deepEqual(fake.posts.slice(2), [{ at: 111, ids: ["e"] }], "an interval after e came");
    for (const id of ["f", "g", "h", "i"]) sink(id);
    assert.deepEqual(
      fake.posts.slice(3),
      [{ at: 111, ids: ["f", "g", "h", "i"] }],
      "a full batch goes at once",
    );
    const closed = thread.close();
    await clock.runAllAsync();
    await closed;
  } finally {
    clock.uninstall();
  }
});

import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { DayClock } from "../../src/logs/day.ts";
import type { LogFiles } from "../../src/logs/files.ts";
import { LogWriter } from "../../src/logs/writer.ts";
import { countTimeouts } from "../_helpers/timers.ts";
import { callRecord } from "./_util.ts";

/** Files that record what is appended (and in how many writes) and synced, in memory. */
function memoryFiles() {
  const lines: string[] = [];
  let writes = 0;
  let syncs = 0;
  const dec = new TextDecoder();
  const files = {
    append: (_day: string, list: Uint8Array[]) => {
      writes++;
      for (const l of list) lines.push(dec.decode(l));
      return Promise.resolve(list.reduce((n, l) => n + l.length, 0));
    },
    sync: () => Promise.resolve(void syncs++),
    close: () => {},
  } as unknown as LogFiles;
  return { files, lines, writes: () => writes, syncs: () => syncs };
}

/** A writer on `mem` with a 1 s fsync interval, timed by the fake `clock`. */
function writerOn(mem: ReturnType<typeof memoryFiles>, clock: { now: number }) {
  return new LogWriter({
    files: mem.files,
    days: new DayClock("UTC"),
    line: (rec) => JSON.stringify({ id: rec.id }),
    queueSize: 100,
    queueBytes: 1 << 30,
    batchSize: 100,
    fsyncIntervalMs: 1_000,
    now: () => clock.now,
    warn: (m) => assert.fail(m),
  });
}

Deno.test("LogWriter writes what a turn of the event loop queued at its end, in one write, and sets no timer but the sync's", async () => {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout"], now: 0 });
  try {
    const mem = memoryFiles();
    const w = writerOn(mem, clock);
    await clock.tickAsync(10_000);
    assert.equal(clock.countTimers(), 0, "an idle writer sets no timer");

    w.push(callRecord({ id: "a" }));
    await clock.tickAsync(0);
    assert.deepEqual(mem.lines, ['{"id":"a"}\n'], "written at once");
    assert.equal(mem.syncs(), 1, "the last sync was longer than an fsync interval ago");
    // The records of one turn (the gateway thread posts them together) go in one write.
    await clock.tickAsync(1);
    w.push(callRecord({ id: "b" }));
    w.push(callRecord({ id: "c" }));
    assert.equal(mem.lines.length, 1, "not before the turn ends");
    await clock.tickAsync(0);
    assert.deepEqual(mem.lines.slice(1), ['{"id":"b"}\n', '{"id":"c"}\n']);
    assert.equal(mem.writes(), 2);
    // The next turn's records go at once too: the gateway thread spaces its posts, not the writer.
    w.push(callRecord({ id: "e" }));
    await clock.tickAsync(0);
    assert.deepEqual(mem.lines.slice(3), ['{"id":"e"}\n']);
    assert.equal(clock.countTimers(), 1, "only the sync timer is left");
    await clock.tickAsync(1_000);
    assert.equal(mem.syncs(), 2, "written data is synced within the fsync interval");
    assert.equal(clock.countTimers(), 0);

    w.push(callRecord({ id: "d" }));
    const closed = w.close();
    await clock.runAllAsync();
    await closed;
    assert.equal(mem.lines.at(-1), '{"id":"d"}\n', "close() writes what is queued");
    assert.equal(mem.syncs(), 3);
  } finally {
    clock.uninstall();
  }
});

Deno.test("LogWriter arms its sync timer once per fsync interval, not once per write", async () => {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout"], now: 0 });
  const armed = countTimeouts();
  try {
    const mem = memoryFiles();
    const w = writerOn(mem, clock);
    await clock.tickAsync(2_000);
    // Fifty writes 2 ms apart, as the gateway thread posts them under load: one sync, one timer for the next.
    for (let i = 0; i < 50; i++) {
      w.push(callRecord({ id: `r${i}` }));
      await clock.tickAsync(2);
    }
    assert.equal(mem.writes(), 50);
    assert.equal(mem.syncs(), 1);
    assert.equal(armed.count(), 1, "the sync timer stays armed across writes");
    await clock.tickAsync(1_000);
    assert.equal(mem.syncs(), 2, "what was written after the first sync is synced within the interval");
    assert.equal(clock.countTimers(), 0);
    const closed = w.close();
    await clock.runAllAsync();
    await closed;
  } finally {
    armed.restore();
    clock.uninstall();
  }
});

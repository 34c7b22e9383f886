import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { DayClock } from "../../src/logs/day.ts";
import type { LogFiles } from "../../src/logs/files.ts";
import { LogWriter } from "../../src/logs/writer.ts";
import { callRecord } from "./_util.ts";

/** Files that record what is appended and synced, in memory. */
function memoryFiles() {
  const lines: string[] = [];
  let syncs = 0;
  const dec = new TextDecoder();
  const files = {
    append: (_day: string, list: Uint8Array[]) => {
      for (const l of list) lines.push(dec.decode(l));
      return Promise.resolve(list.reduce((n, l) => n + l.length, 0));
    },
    sync: () => Promise.resolve(void syncs++),
    close: () => {},
  } as unknown as LogFiles;
  return { files, lines, syncs: () => syncs };
}

Deno.test("LogWriter writes at most once per flush interval and within one of a record coming, at once after a quiet one, and sets no timer when idle", async () => {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout"], now: 0 });
  try {
    const mem = memoryFiles();
    const w = new LogWriter({
      files: mem.files,
      days: new DayClock("UTC"),
      line: (rec) => JSON.stringify({ id: rec.id }),
      queueSize: 100,
      queueBytes: 1 << 30,
      batchSize: 100,
      flushIntervalMs: 5,
      fsyncIntervalMs: 1_000,
      now: () => clock.now,
      warn: (m) => assert.fail(m),
    });
    await clock.tickAsync(10_000);
    assert.equal(clock.countTimers(), 0, "an idle writer sets no timer");

    // Idle for longer than an interval: the first record is written at once.
    w.push(callRecord({ id: "a" }));
    await clock.tickAsync(0);
    assert.deepEqual(mem.lines, ['{"id":"a"}\n']);
    assert.equal(mem.syncs(), 1, "the last sync was longer than an fsync interval ago");
    // Within the interval of that write, records wait, and go in one write an interval after the first of
    // them came when no later record finds the interval over.
    await clock.tickAsync(1);
    w.push(callRecord({ id: "b" }));
    await clock.tickAsync(2);
    w.push(callRecord({ id: "c" }));
    await clock.tickAsync(2);
    assert.equal(mem.lines.length, 1, "not before the interval since the last write is over");
    await clock.tickAsync(1);
    assert.deepEqual(mem.lines.slice(1), ['{"id":"b"}\n', '{"id":"c"}\n'], "5 ms after b came");
    // A record that finds the last write an interval old is written at once, with those waiting.
    await clock.tickAsync(1);
    w.push(callRecord({ id: "e" }));
    await clock.tickAsync(4);
    assert.equal(mem.lines.length, 3);
    w.push(callRecord({ id: "f" }));
    await clock.tickAsync(0);
    assert.deepEqual(mem.lines.slice(3), ['{"id":"e"}\n', '{"id":"f"}\n'], "5 ms after the last write");
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

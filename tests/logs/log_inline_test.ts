import assert from "node:assert/strict";
import { keysToData } from "../../src/logs/writer_parts.ts";
import { DayClock } from "../../src/logs/day.ts";
import { decodeKeyText, importLogKey } from "../../src/logs/keyring.ts";
import { LogThread } from "../../src/logs/log_thread.ts";
import { inlineLogWorker } from "../../src/logs/log_inline.ts";
import { callRecord, keyEnv, logConfig, readDay } from "./_util.ts";

Deno.test("logs.thread false: sealing a batch lets the event loop run between records once a slice is used up", async () => {
  const dir = await Deno.makeTempDir();
  const k = await importLogKey(decodeKeyText(keyEnv().key));
  const thread = new LogThread({
    config: logConfig(dir, { keys: [{ key: "env:LOG_KEY" }], batchSize: 64 }),
    keys: keysToData({ global: [k], projects: new Map() }),
    secrets: [],
    retainedFor: new DayClock("UTC").dayOf(Date.now()),
    warn: (m) => assert.fail(m),
    // A slice of 0 ms: the host yields before every record.
    spawn: () => inlineLogWorker({ sliceMs: 0 }),
  });
  await thread.ready;
  thread.sink(callRecord({ id: "r0" })); // posted at once: the last post is an interval old
  for (let i = 1; i <= 6; i++) thread.sink(callRecord({ id: `r${i}` })); // wait for the next post
  let turns = 0;
  let done = false;
  const tick = () => {
    turns++;
    if (!done) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  await thread.report(); // posts r1…r6 as one batch and waits until they are taken in
  done = true;
  assert.ok(turns >= 6, `the event loop ran ${turns} times while a batch of 6 was sealed`);
  await thread.close();
  assert.deepEqual((await readDay(dir)).map((r) => r.id), ["r0", "r1", "r2", "r3", "r4", "r5", "r6"]);
});

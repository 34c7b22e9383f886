import assert from "node:assert/strict";
import { keysToData } from "../../src/logs/writer_parts.ts";
import { DayClock } from "../../src/logs/day.ts";
import { decodeKeyText, importLogKey, Keyring } from "../../src/logs/keyring.ts";
import { LogThread } from "../../src/logs/log_thread.ts";
import { inlineLogWorker } from "../../src/logs/log_inline.ts";
import { openRecord } from "../../src/logs/open.ts";
import { until } from "../_helpers/until.ts";
import { callRecord, keyEnv, logConfig, readDay } from "./_util.ts";

const enc = new TextEncoder();

const today = () => new DayClock("UTC").dayOf(Date.now());

async function threadFor(
  dir: string,
  key: string,
  over: Parameters<typeof logConfig>[1] = {},
  retainedFor = today(),
  inline = false,
) {
  const warnings: string[] = [];
  const k = await importLogKey(decodeKeyText(key));
  const thread = new LogThread({
    config: logConfig(dir, { keys: [{ key: "env:LOG_KEY" }], ...over }),
    keys: keysToData({ global: [k], projects: new Map() }),
    secrets: ["upstream-secret-0123456789"],
    retainedFor,
    warn: (m) => warnings.push(m),
    ...(inline ? { spawn: inlineLogWorker } : {}),
  });
  return { thread, warnings, ring: new Keyring([k]) };
}

for (const inline of [false, true]) {
  const where = inline ? "on the gateway's thread (logs.thread: false)" : "on its own thread";
  Deno.test(`LogThread seals and writes records ${where}, in order, and counts them`, async () => {
    const dir = await Deno.makeTempDir();
    const { key } = keyEnv();
    const { thread, warnings, ring } = await threadFor(dir, key, { batchSize: 8 }, today(), inline);
    await thread.ready;
    // A body that is a view into a larger buffer is logged as the view, not the whole buffer.
    const big = enc.encode(`xxxx{"model":"m","messages":[]}yyyy`);
    for (let i = 0; i < 50; i++) {
      thread.sink(callRecord({
        id: `r${String(i).padStart(3, "0")}`,
        requestBody: i === 7 ? big.subarray(4, big.length - 4) : callRecord().requestBody,
        // A project's own upstream credentials ride on the caller; they never cross to the log thread.
        caller: Object.assign({ keyId: "dev", project: "demo", tokenId: null }, {
          upstreamCredentials: { "azure-test": "upstream-secret-0123456789" },
        }),
      }));
    }
    assert.equal(thread.stats().queued, 50);
    await thread.close();
    assert.deepEqual(thread.stats(), {
      queued: 0,
      written: 50,
      dropped: 0,
      bytes: (await Deno.stat(`${dir}/20251214/requests-gw1.jsonl`)).size,
    });
    assert.deepEqual(warnings, []);
    const records = await readDay(dir);
    assert.deepEqual(
      records.map((r) => r.id),
      Array.from({ length: 50 }, (_, i) => `r${String(i).padStart(3, "0")}`),
    );
    const opened = await openRecord(records[7]!, ring);
    assert.deepEqual(opened.errors, []);
    assert.deepEqual(opened.record.request, { model: "m", messages: [] });
    assert.deepEqual(records[7]!.caller, { key_id: "dev", project: "demo", token_id: null });
    const text = await Deno.readTextFile(`${dir}/20251214/requests-gw1.jsonl`);
    assert.doesNotMatch(text, /upstream-secret/);
    // After close, records are dropped and counted, never queued.
    thread.sink(callRecord({ id: "late" }));
    assert.equal(thread.stats().dropped, 1);
  });

  Deno.test(`LogThread logs a large body whole ${where} though the pipeline gives its buffer back (detaches it) as the call ends`, async () => {
    const dir = await Deno.makeTempDir();
    const { key } = keyEnv();
    const { thread, warnings, ring } = await threadFor(
      dir,
      key,
      { maxBodyBytes: 1024 * 1024 },
      today(),
      inline,
    );
    await thread.ready;
    const body = (c: string) =>
      enc.encode(JSON.stringify({ model: "m", messages: [{ role: "user", content: c.repeat(300_000) }] }));
    const bodies = [body("a"), body("b")];
    // Two calls in a row: the second waits for the next post, as under load.
    for (const [i, b] of bodies.entries()) {
      thread.sink(callRecord({ id: `big${i}`, requestBody: b }));
      // What BodyBudget.release() does to a large request body once the call's record went to the sinks.
      b.buffer.transfer(0);
    }
    await thread.close();
    assert.deepEqual(warnings, []);
    const records = await readDay(dir);
    assert.deepEqual(records.map((r) => r.id), ["big0", "big1"]);
    for (const [i, r] of records.entries()) {
      const opened = await openRecord(r, ring);
      assert.deepEqual(opened.errors, []);
      const content = (opened.record.request as { messages: { content: string }[] }).messages[0]!.content;
      assert.equal(content, (i === 0 ? "a" : "b").repeat(300_000));
    }
  });

  Deno.test(`LogThread reports counters back after each flush, while it runs ${where}`, async () => {
    const dir = await Deno.makeTempDir();
    const { thread } = await threadFor(dir, keyEnv().key, { flushIntervalMs: 5 }, today(), inline);
    for (let i = 0; i < 5; i++) thread.sink(callRecord({ id: `r${i}` }));
    await until("the thread to report five written", () => Promise.resolve(thread.stats().written === 5));
    assert.equal(thread.stats().queued, 0);
    await thread.close();
  });
}

Deno.test("LogThread runs retention on its thread, once a day, after the main thread's run", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/20200101`);
  // The main thread already cleaned up today: the thread leaves the old day alone.
  const done = await threadFor(dir, keyEnv().key, { retentionDays: 7 });
  done.thread.sink(callRecord({ id: "a" }));
  await done.thread.close();
  assert.ok((await Deno.stat(`${dir}/20200101`)).isDirectory);
  // A thread whose day was not cleaned up yet deletes expired days after its first flush.
  const fresh = await threadFor(dir, keyEnv().key, { retentionDays: 7, flushIntervalMs: 5 }, "");
  fresh.thread.sink(callRecord({ id: "b", ts: new Date().toISOString() }));
  await until("the retention warning", () => Promise.resolve(fresh.warnings.length > 0));
  await fresh.thread.close();
  assert.deepEqual(fresh.warnings, ["Deleted request logs of 20200101, 20251214 (retention 7 days)"]);
  await assert.rejects(Deno.stat(`${dir}/20200101`), Deno.errors.NotFound);
});

Deno.test("LogThread keeps the queue bound: records beyond it are dropped, counted and warned about", async (t) => {
  await t.step("a whole queue's worth waits in the thread and is written", async () => {
    const dir = await Deno.makeTempDir();
    // The thread's queue holds three: records after its first write wait there until close.
    const { thread, warnings } = await threadFor(dir, keyEnv().key, {
      queueSize: 3,
      batchSize: 100,
      flushIntervalMs: 60_000,
    });
    await thread.ready;
    for (let i = 0; i < 3; i++) thread.sink(callRecord({ id: `r${i}` }));
    // Once the thread has taken in all three, none was dropped there: each is queued or written.
    const inThread = await thread.report();
    assert.deepEqual([inThread.queued + inThread.written, inThread.dropped], [3, 0]);
    await thread.close();
    assert.deepEqual({ ...thread.stats(), bytes: 0 }, { queued: 0, written: 3, dropped: 0, bytes: 0 });
    assert.deepEqual(warnings, []);
  });
  await t.step(
    "the thread is behind by a whole queue: records are dropped before they are posted",
    async () => {
      const dir = await Deno.makeTempDir();
      const { thread, warnings } = await threadFor(dir, keyEnv().key, { queueSize: 3, batchSize: 100 });
      // Posted at three (the queue size), before the thread has reported anything back.
      for (let i = 0; i < 6; i++) thread.sink(callRecord({ id: `r${i}` }));
      assert.deepEqual(thread.stats(), { queued: 3, written: 0, dropped: 3, bytes: 0 });
      await thread.close();
      assert.deepEqual({ ...thread.stats(), bytes: 0 }, { queued: 0, written: 3, dropped: 3, bytes: 0 });
      // The first drop is reported at once, the rest (within the warning interval) when the log closes.
      assert.deepEqual(warnings, [
        "Request log thread is behind by a full queue: dropped 1 records since the last warning (1 in total)",
        "Request log thread is behind by a full queue: dropped 2 records since the last warning (3 in total)",
      ]);
    },
  );
});

Deno.test("LogThread survives a log thread that fails: it warns once, drops and counts records", async () => {
  const dir = await Deno.makeTempDir();
  const warnings: string[] = [];
  const thread = new LogThread({
    config: logConfig(dir),
    // A key of the wrong size cannot be imported: the thread's start fails.
    keys: { global: [{ kid: "bad", bytes: new Uint8Array(16) }], projects: [] },
    secrets: [],
    retainedFor: "",
    warn: (m) => warnings.push(m),
  });
  thread.sink(callRecord({ id: "a" }));
  await assert.rejects(thread.ready, /^Error: expected 32 bytes of key, got 16$/);
  await assert.rejects(thread.report(), /^Error: expected 32 bytes of key, got 16$/);
  thread.sink(callRecord({ id: "b" }));
  await thread.close();
  assert.equal(warnings.length, 1, warnings.join("\n"));
  assert.match(
    warnings[0]!,
    /^The request log thread failed; records are dropped from now on: expected 32 bytes/,
  );
  assert.deepEqual(thread.stats(), { queued: 0, written: 0, dropped: 2, bytes: 0 });
});

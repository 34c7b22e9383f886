import assert from "node:assert/strict";
import { DayClock } from "../../src/logs/day.ts";
import { logFileName, LogFiles, parseLogFileName } from "../../src/logs/files.ts";
import { dayFiles, readRecords } from "../../src/logs/reader.ts";
import { LogWriter, type WriterOptions } from "../../src/logs/writer.ts";
import type { LogItem } from "../../src/logs/queued.ts";
import { callRecord, jsonLines } from "./_util.ts";

const line = (rec: LogItem) => JSON.stringify({ v: 1, id: rec.id, ts: rec.ts, pad: "x".repeat(40) });

function writer(dir: string, over: Partial<WriterOptions> = {}, rotateBytes = 0) {
  const warnings: string[] = [];
  const w = new LogWriter({
    files: new LogFiles(dir, "gw1", rotateBytes),
    days: new DayClock("UTC"),
    line,
    queueSize: 1000,
    queueBytes: 1 << 30,
    batchSize: 50,
    fsyncIntervalMs: 0,
    now: () => 0,
    warn: (m) => warnings.push(m),
    ...over,
  });
  return { w, warnings };
}

Deno.test("LogWriter.push() is synchronous and close() writes every queued record in order", async () => {
  const dir = await Deno.makeTempDir();
  const { w } = writer(dir, { batchSize: 7 });
  for (let i = 0; i < 100; i++) assert.equal(w.push(callRecord({ id: `r${i}` })), undefined);
  await w.close();
  assert.deepEqual(w.stats().written, 100);
  const ids = (await jsonLines(`${dir}/20251214/requests-gw1.jsonl`)).map((r) => r.id);
  assert.deepEqual(ids, Array.from({ length: 100 }, (_, i) => `r${i}`));
});

Deno.test("LogWriter writes a full batch without a timer", async () => {
  const dir = await Deno.makeTempDir();
  const flushed = Promise.withResolvers<void>();
  const { w } = writer(dir, { batchSize: 5, afterFlush: () => Promise.resolve(flushed.resolve()) });
  for (let i = 0; i < 5; i++) w.push(callRecord({ id: `r${i}` }));
  await flushed.promise;
  assert.equal(w.stats().written, 5);
  await w.close();
});

Deno.test("LogWriter drops records when the queue is full and warns once per interval", async () => {
  const dir = await Deno.makeTempDir();
  const { w, warnings } = writer(dir, { queueSize: 3, batchSize: 100 });
  for (let i = 0; i < 10; i++) w.push(callRecord({ id: `r${i}` }));
  assert.deepEqual(w.stats(), { queued: 3, written: 0, dropped: 7, bytes: 0 });
  await w.close();
  assert.deepEqual(warnings, [
    "Request log queue is full: dropped 7 records since the last warning (7 in total)",
  ]);
  w.push(callRecord());
  assert.equal(w.stats().dropped, 8, "records after close are dropped");

  const bytes = writer(await Deno.makeTempDir(), { queueBytes: 300 });
  bytes.w.push(callRecord({ id: "big", requestBody: new Uint8Array(400) }));
  bytes.w.push(callRecord({ id: "small" }));
  assert.deepEqual([bytes.w.stats().queued, bytes.w.stats().dropped], [1, 1]);
  await bytes.w.close();
});

Deno.test("LogWriter rotates by size into numbered files and continues the last one after a restart", async () => {
  const dir = await Deno.makeTempDir();
  const { w } = writer(dir, {}, 500);
  for (let i = 0; i < 20; i++) w.push(callRecord({ id: `r${i}` }));
  await w.close();
  const files = await dayFiles(dir, "20251214");
  assert.ok(files.length >= 3, `${files}`);
  assert.deepEqual(files.slice(0, 3).map((f) => f.split("/").pop()), [
    "requests-gw1.jsonl",
    "requests-gw1.1.jsonl",
    "requests-gw1.2.jsonl",
  ]);
  for (const f of files) assert.ok((await Deno.stat(f)).size <= 500);
  const ids: string[] = [];
  for await (const r of readRecords(files, assert.fail)) ids.push(r.record.id);
  assert.deepEqual(ids, Array.from({ length: 20 }, (_, i) => `r${i}`));

  const again = writer(dir, {}, 500);
  again.w.push(callRecord({ id: "after-restart" }));
  await again.w.close();
  const after = await dayFiles(dir, "20251214");
  const last = await jsonLines(after.at(-1)!);
  assert.equal(last.at(-1)!.id, "after-restart");
});

Deno.test("LogWriter puts each record in the folder of its own day, in the configured zone", async () => {
  const dir = await Deno.makeTempDir();
  const { w } = writer(dir, { days: new DayClock("Europe/Berlin") });
  w.push(callRecord({ id: "late", ts: "2025-12-14T22:59:00.000Z" }));
  w.push(callRecord({ id: "next", ts: "2025-12-14T23:01:00.000Z" }));
  await w.close();
  assert.deepEqual((await jsonLines(`${dir}/20251214/requests-gw1.jsonl`)).map((r) => r.id), ["late"]);
  assert.deepEqual((await jsonLines(`${dir}/20251215/requests-gw1.jsonl`)).map((r) => r.id), ["next"]);
});

Deno.test("LogWriter starts a new line after a torn last line, so no record is glued to it", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/20251214`);
  await Deno.writeTextFile(
    `${dir}/20251214/requests-gw1.jsonl`,
    '{"v":1,"id":"ok","ts":"x"}\n{"v":1,"id":"to',
  );
  const { w } = writer(dir);
  w.push(callRecord({ id: "new" }));
  await w.close();
  const warnings: string[] = [];
  const ids: string[] = [];
  for await (const r of readRecords(await dayFiles(dir, "20251214"), (m) => warnings.push(m))) {
    ids.push(r.record.id);
  }
  assert.deepEqual(ids, ["ok", "new"]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^Skipped line 2 of .*requests-gw1\.jsonl: not valid JSON$/);
});

Deno.test("LogWriter counts records it cannot write as dropped and warns", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/20251214`, "a file where the day folder should be");
  const { w, warnings } = writer(dir);
  w.push(callRecord());
  await w.close();
  assert.deepEqual([w.stats().written, w.stats().dropped], [0, 1]);
  assert.match(warnings[0]!, /^Cannot write the request log for 20251214: /);
});

Deno.test("LogWriter survives a record that cannot be turned into a line", async () => {
  const dir = await Deno.makeTempDir();
  const { w, warnings } = writer(dir, {
    line: (rec) => {
      if (rec.id === "bad") throw new Error("boom");
      return line(rec);
    },
  });
  w.push(callRecord({ id: "bad" }));
  w.push(callRecord({ id: "good" }));
  await w.close();
  assert.deepEqual([w.stats().written, w.stats().dropped], [1, 1]);
  assert.deepEqual(warnings, ['Cannot log record "bad": boom']);
  assert.deepEqual((await jsonLines(`${dir}/20251214/requests-gw1.jsonl`)).map((r) => r.id), ["good"]);
});

Deno.test("logFileName() and parseLogFileName() agree", () => {
  assert.equal(logFileName("gw-1", 0), "requests-gw-1.jsonl");
  assert.equal(logFileName("gw-1", 3), "requests-gw-1.3.jsonl");
  assert.deepEqual(parseLogFileName("requests-gw-1.3.jsonl"), { instance: "gw-1", index: 3 });
  assert.deepEqual(parseLogFileName("requests-gw_1.jsonl"), { instance: "gw_1", index: 0 });
  assert.equal(parseLogFileName("requests-.jsonl"), null);
  assert.equal(parseLogFileName("other.jsonl"), null);
});

Deno.test("LogWriter builds each line once, when the record is queued, and writes them in order", async () => {
  const dir = await Deno.makeTempDir();
  const built: string[] = [];
  const builtLine = (rec: LogItem) => {
    built.push(rec.id);
    if (rec.id === "bad") throw new Error("cannot seal");
    return line(rec);
  };
  const { w, warnings } = writer(dir, { line: builtLine });
  w.push(callRecord({ id: "a" }));
  w.push(callRecord({ id: "bad" }));
  w.push(callRecord({ id: "b" }));
  assert.deepEqual(built, ["a", "bad", "b"], "built at push, before any flush");
  await w.close();
  assert.deepEqual(built, ["a", "bad", "b"], "not built a second time");
  assert.deepEqual((await jsonLines(`${dir}/20251214/requests-gw1.jsonl`)).map((r) => r.id), ["a", "b"]);
  assert.deepEqual(w.stats().dropped, 1);
  assert.deepEqual(warnings, ['Cannot log record "bad": cannot seal']);
});

import assert from "node:assert/strict";
import { addDays, DayClock } from "../../src/logs/day.ts";
import { openRequestLog } from "../../src/logs/request_log.ts";
import { deleteOldDays, Retention } from "../../src/logs/retention.ts";
import { logConfig } from "./_util.ts";

async function folders(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("openRequestLog() deletes expired day folders at start", async () => {
  // Days around the real today: the log thread runs retention again after its flushes on the real clock,
  // and a fixed date in the past made it delete the folders this test expects to stay (a flaky failure).
  const now = Date.now();
  const today = new DayClock("UTC").dayOf(now);
  const [old1, old2, kept] = [addDays(today, -43), addDays(today, -31), addDays(today, -30)];
  const dir = await Deno.makeTempDir();
  for (const d of [old1, old2, kept, today, "notaday", "20259999"]) {
    await Deno.mkdir(`${dir}/${d}`);
  }
  const warnings: string[] = [];
  const log = await openRequestLog(logConfig(dir, { bodies: false, retentionDays: 31 }), {
    now: () => now,
    warn: (m) => warnings.push(m),
  });
  await log.close();
  const left = [];
  for await (const e of Deno.readDir(dir)) left.push(e.name);
  assert.deepEqual(left.sort(), [kept, today, "20259999", "notaday"].sort());
  assert.deepEqual(warnings, [`Deleted request logs of ${old1}, ${old2} (retention 31 days)`]);
});

Deno.test("Retention.run() deletes once per day, by the configured zone", async () => {
  const dir = await Deno.makeTempDir();
  let now = Date.parse("2025-12-14T12:00:00Z");
  const retention = new Retention(dir, 2, new DayClock("UTC"), () => now);
  for (const d of ["20251212", "20251213", "20251214"]) await Deno.mkdir(`${dir}/${d}`);
  assert.deepEqual(await retention.run(), ["20251212"]);
  await Deno.mkdir(`${dir}/20251201`);
  assert.deepEqual(await retention.run(), [], "already ran today");
  now += 86_400_000;
  assert.deepEqual(await retention.run(), ["20251201", "20251213"]);
  assert.deepEqual(await folders(dir), ["20251214"]);
});

Deno.test("deleteOldDays() keeps everything with 0 days and tolerates a missing folder", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/20000101`);
  assert.deepEqual(await deleteOldDays(dir, 0, "20251214"), []);
  assert.deepEqual(await folders(dir), ["20000101"]);
  assert.deepEqual(await deleteOldDays(`${dir}/missing`, 5, "20251214"), []);
});

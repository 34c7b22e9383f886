import assert from "node:assert/strict";
import { DayClock } from "../../src/logs/day.ts";
import { openRequestLog } from "../../src/logs/request_log.ts";
import { deleteOldDays, Retention } from "../../src/logs/retention.ts";
import { logConfig } from "./_util.ts";

async function folders(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("openRequestLog() deletes expired day folders at start", async () => {
  const dir = await Deno.makeTempDir();
  for (const d of ["20251101", "20251113", "20251114", "20251214", "notaday", "20259999"]) {
    await Deno.mkdir(`${dir}/${d}`);
  }
  const warnings: string[] = [];
  const log = await openRequestLog(logConfig(dir, { bodies: false, retentionDays: 31 }), {
    now: () => Date.parse("2025-12-14T12:00:00Z"),
    warn: (m) => warnings.push(m),
  });
  await log.close();
  const left = [];
  for await (const e of Deno.readDir(dir)) left.push(e.name);
  assert.deepEqual(left.sort(), ["20251114", "20251214", "20259999", "notaday"]);
  assert.deepEqual(warnings, ["Deleted request logs of 20251101, 20251113 (retention 31 days)"]);
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

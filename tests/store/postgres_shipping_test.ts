/**
 * Record shipping to the real server: a replica's files reach `call_records` in batches, a partial last
 * line waits for its end, a second shipment changes nothing, a lost server only delays, and the cost
 * report and spend rebuild read every replica's records back.
 */
import assert from "node:assert/strict";
import { costReportCommand } from "../../src/cli/cost.ts";
import { createCostControl } from "../../src/cost/control.ts";
import { RecordShipper, type ShipTarget } from "../../src/logs/ship.ts";
import { CallRecordTable } from "../../src/cost/call_records.ts";
import { openPostgresPool } from "../../src/store/postgres_open.ts";
import { migratePostgres } from "../../src/store/postgres_schema.ts";
import { fakeIo } from "../_helpers/cli.ts";
import { dropAtEnd, freshDatabase } from "../_helpers/postgres.ts";
import { costConfig, FLAT_PRICING, logRecord, NOW, TODAY, writeDay } from "../cost/_util.ts";

const db = await freshDatabase();
const sql = await openPostgresPool(db.url, { max: 2 });
await migratePostgres(sql);
const table = new CallRecordTable(sql);
const count = async (where = "TRUE") =>
  Number((await sql.unsafe(`SELECT count(*)::int AS n FROM call_records WHERE ${where}`))[0]!.n);
const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  ...opts,
  name: "RecordShipper ships complete lines in batches, waits for a partial one, and ships once",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const sealed = { kid: "k1", iv: "aXY=", ct: "c2VhbGVk" }; // stays sealed in PostgreSQL
      const first = Array.from({ length: 30 }, (_, i) => logRecord({ id: `a${i}`, instance: "r1" }));
      await writeDay(dir, TODAY, first, { instance: "r1", tail: '{"v":1,"id":"late","ts"' });
      await writeDay(dir, TODAY, [logRecord({ id: "other", instance: "r2" })], { instance: "r2" });
      const warnings: string[] = [];
      const shipper = new RecordShipper(table, {
        dir,
        instance: "r1",
        batchBytes: 4096, // several batches
        warn: (m) => warnings.push(m),
      });
      assert.equal(await shipper.ship(), true);
      assert.equal(await count(), 30, "only r1's complete lines");
      const stats = shipper.stats();
      assert.ok(stats.batches > 1, `batches: ${stats.batches}`);
      assert.ok(stats.pendingBytes > 0, "the partial line is pending");

      // The line ends; a bad line is skipped with a warning; a sealed body is kept as written.
      const rest = `:"not a time","error":{"type":"x","message":"nul \\u0000 here"}}\nnot json\n${
        JSON.stringify(logRecord({ id: "b1", instance: "r1", request: sealed as never }))
      }\n`;
      await Deno.writeTextFile(`${dir}/${TODAY}/requests-r1.jsonl`, rest, { append: true });
      assert.equal(await shipper.ship(), true);
      assert.equal(await count(), 32);
      assert.equal(shipper.stats().skipped, 1);
      assert.match(
        warnings.join("\n"),
        /Skipped a line of 20261125\/requests-r1.jsonl when shipping records/,
      );
      const [row] =
        await sql`SELECT request, meta->'request' AS inline, day, cost_eur FROM call_records WHERE id = 'b1'`;
      assert.deepEqual(row!.request, sealed);
      assert.equal(row!.inline, null, "the metadata JSON holds no body");
      assert.equal(row!.day, TODAY);
      const [late] =
        await sql`SELECT meta->'error'->>'message' AS message FROM call_records WHERE id = 'late'`;
      assert.equal(late!.message, "nul \uFFFD here", "a NUL character does not block the shipping");

      // A replica that forgot its offsets (a fresh start elsewhere) ships again: nothing doubles.
      await sql`DELETE FROM call_record_files`;
      const again = new RecordShipper(table, { dir, instance: "r1" });
      assert.equal(await again.ship(), true);
      assert.equal(await count(), 32);
      await again.close();
      await shipper.close();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  ...opts,
  name: "RecordShipper keeps records in the files while the target is down and catches up after",
  async fn() {
    await db.truncate();
    const dir = await Deno.makeTempDir();
    try {
      let down = true;
      const flaky: ShipTarget = {
        offsets: (i) =>
          down
            ? Promise.reject(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }))
            : table.offsets(i),
        ship: (b, n) => down ? Promise.reject(new Error("lost")) : table.ship(b, n),
      };
      const warnings: string[] = [];
      const shipper = new RecordShipper(flaky, { dir, instance: "r1", warn: (m) => warnings.push(m) });
      await writeDay(dir, TODAY, [logRecord({ instance: "r1" }), logRecord({ instance: "r1" })], {
        instance: "r1",
      });
      assert.equal(await shipper.ship(), false);
      assert.equal(await shipper.ship(), false);
      assert.deepEqual([shipper.stats().up, shipper.stats().failures], [false, 2]);
      assert.match(shipper.stats().error!, /ECONNREFUSED/);
      assert.equal(warnings.length, 1, "one warning per outage");
      down = false;
      await writeDay(dir, TODAY, [logRecord({ instance: "r1" })], { instance: "r1" });
      assert.equal(await shipper.ship(), true);
      assert.equal(await count(), 3);
      assert.deepEqual([shipper.stats().up, shipper.stats().pendingBytes], [true, 0]);
      await shipper.close();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  ...opts,
  name: "the spend rebuild and the cost report read every replica's records from PostgreSQL",
  async fn() {
    await db.truncate();
    const dirs = [await Deno.makeTempDir(), await Deno.makeTempDir()];
    try {
      // Two replicas on two machines: each ships its own folder.
      await writeDay(dirs[0]!, TODAY, [
        logRecord({ cost_eur: 0.5, instance: "r1" }),
        logRecord({ cost_eur: 0.25, instance: "r1" }),
      ], {
        instance: "r1",
      });
      await writeDay(dirs[1]!, TODAY, [
        logRecord({
          cost_eur: 1,
          instance: "r2",
          caller: { key_id: "ci", project: "search", token_id: null },
        }),
        logRecord({ cost_eur: null, instance: "r2" }), // priced from its usage: 15 tokens of "m" → €0.015
      ], { instance: "r2" });
      await writeDay(dirs[1]!, "20261124", [logRecord({ cost_eur: 100 })], { instance: "r2" });
      for (const [i, dir] of dirs.entries()) {
        const s = new RecordShipper(table, { dir, instance: `r${i + 1}` });
        assert.equal(await s.ship(), true);
        await s.close();
      }
      const cost = createCostControl(costConfig({ pricing: FLAT_PRICING }), {
        now: () => NOW,
        tokenizer: false,
      });
      const stats = await cost.rebuild("/nonexistent", (day, onRecord) => table.spendOfDay(day, onRecord));
      assert.deepEqual([stats.records, stats.files, stats.repriced, stats.eur], [4, 2, 1, 1.765]);
      assert.equal(cost.spendToday("project:search"), 1);
      assert.equal(cost.spendToday("key:dev"), 0.765);

      const cfgDir = await Deno.makeTempDir();
      const cfg = `${cfgDir}/c.yaml`;
      await Deno.writeTextFile(
        cfg,
        `upstreams: [{name: u, kind: openai, deployments: [m]}]\nmanage: {store: "env:AZMW_TEST_DB"}\n` +
          `pricing: {models: {m: {input: 1000, output: 1000}}}\nlogs: {dir: ${cfgDir}/nologs, bodies: false}\n`,
      );
      const io = fakeIo({ AZMW_TEST_DB: db.url });
      const code = await costReportCommand.run(
        costReportCommand.parseArgs([
          "-c",
          cfg,
          "--from",
          "20261124",
          "--to",
          TODAY,
          "--by",
          "project",
          "--format",
          "json",
        ]),
        io,
      );
      assert.equal(code, 0, io.err);
      const report = JSON.parse(io.out);
      assert.equal(report.total.requests, 5);
      assert.deepEqual(
        report.rows.map((r: { key: string; requests: number }) => [r.key, r.requests]),
        [["demo", 4], ["search", 1]],
      );
      await Deno.remove(cfgDir, { recursive: true });
    } finally {
      for (const d of dirs) await Deno.remove(d, { recursive: true });
    }
  },
});

Deno.test({
  ...opts,
  name: "started entries: a closed one counts once, one left open counts at its reservation",
  async fn() {
    await db.truncate();
    const dir = await Deno.makeTempDir();
    try {
      const started = (id: string, reserved: number) =>
        JSON.stringify({
          v: 1,
          started: true,
          id,
          ts: new Date(NOW).toISOString(),
          instance: "r1",
          caller: { key_id: "dev", project: "demo", token_id: null },
          model: "m",
          upstream: "u",
          deployment: "m",
          reserved_eur: reserved,
        });
      await Deno.mkdir(`${dir}/${TODAY}`, { recursive: true });
      await Deno.writeTextFile(
        `${dir}/${TODAY}/requests-r1.jsonl`,
        `${started("s1", 0.9)}\n${started("s2", 0.3)}\n${
          JSON.stringify(logRecord({ id: "s1", instance: "r1", cost_eur: 0.5 }))
        }\n`,
      );
      const warnings: string[] = [];
      const shipper = new RecordShipper(table, { dir, instance: "r1", warn: (m) => warnings.push(m) });
      assert.equal(await shipper.ship(), true);
      assert.deepEqual(warnings, [], "started entries are not skipped lines");
      const cost = createCostControl(costConfig({ pricing: FLAT_PRICING }), {
        now: () => NOW,
        tokenizer: false,
      });
      const stats = await cost.rebuild("/nonexistent", (day, onRecord) => table.spendOfDay(day, onRecord));
      assert.deepEqual([stats.records, stats.unclosed, stats.eur], [2, 1, 0.8]);
      const metas: { id: string; cost_eur: number | null; error: { type: string } | null }[] = [];
      const scan = await table.scanDay(TODAY, (m) => metas.push(m));
      assert.equal(scan.unclosed, 1);
      assert.deepEqual(
        metas.map((m) => [m.id, m.cost_eur, m.error?.type ?? null]).sort(),
        [["s1", 0.5, null], ["s2", 0.3, "interrupted"]],
      );
      await shipper.close();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("RecordShipper gives up on a pass when the target stops answering", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeDay(dir, TODAY, [logRecord({ instance: "r1" })], { instance: "r1" });
    const hung: ShipTarget = { offsets: () => new Promise(() => {}), ship: () => new Promise(() => {}) };
    const shipper = new RecordShipper(hung, { dir, instance: "r1", timeoutMs: 20, retryMs: 60_000 });
    assert.equal(await shipper.ship(), false);
    assert.match(shipper.stats().error!, /did not answer within 20 ms/);
    assert.equal(
      await new RecordShipper(table, { dir: `${dir}/none`, instance: "r1" }).ship(),
      true,
      "no folder yet",
    );
    await shipper.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({ ...opts, name: "(cleanup) close the pool", fn: () => sql.end() });
dropAtEnd(db);

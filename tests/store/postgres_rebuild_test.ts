/**
 * The start-up spend rebuild of a replica on PostgreSQL: the other replicas' records from the database,
 * its own from its files (shipped or not, counted once), or everything from the files when the database
 * cannot be reached.
 */
import assert from "node:assert/strict";
import { createCostControl } from "../../src/cost/control.ts";
import { openReplica } from "../../src/server/replica.ts";
import { CallRecordTable } from "../../src/cost/call_records.ts";
import { openPostgresStore } from "../../src/store/postgres_open.ts";
import { dropAtEnd, freshDatabase } from "../_helpers/postgres.ts";
import { costConfig, FLAT_PRICING, logRecord, NOW, TODAY, writeDay } from "../cost/_util.ts";

const db = await freshDatabase();
const opts = { sanitizeOps: false, sanitizeResources: false };
const cost = () =>
  createCostControl(costConfig({ pricing: FLAT_PRICING }), { now: () => NOW, tokenizer: false });

Deno.test({
  ...opts,
  name: "rebuild: other replicas from PostgreSQL, this one from its files, each record once",
  async fn() {
    const dir = await Deno.makeTempDir();
    const store = await openPostgresStore(db.url, { refreshMs: 600_000 });
    try {
      const table = new CallRecordTable(store.direct.sql);
      // r2 (another machine) shipped 1.5; r1 (this one) has 0.25 + 0.5 in its files, one record shipped.
      const r1 = [
        logRecord({ instance: "r1", cost_eur: 0.25 }),
        logRecord({ instance: "r1", cost_eur: 0.5 }),
      ];
      await table.ship(
        {
          instance: "r2",
          file: `${TODAY}/x`,
          day: TODAY,
          offset: 1,
          records: [logRecord({ instance: "r2", cost_eur: 1.5 })],
          started: [],
        },
        NOW,
      );
      await table.ship({
        instance: "r1",
        file: `${TODAY}/y`,
        day: TODAY,
        offset: 1,
        records: [r1[0]!],
        started: [],
      }, NOW);
      await writeDay(dir, TODAY, r1, { instance: "r1" });
      await writeDay(dir, TODAY, [logRecord({ instance: "r3", cost_eur: 100 })], { instance: "r3" }); // not r1's
      const replica = openReplica(store, { dir, instance: "r1", pollMs: 600_000 })!;
      const control = cost();
      const stats = await control.rebuild(dir, await replica.rebuildSource());
      assert.deepEqual([stats.records, stats.files, stats.eur], [3, 2, 2.25]);
      assert.equal(control.spendToday(), 2.25);
      await replica.close();
    } finally {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  ...opts,
  name: "rebuild: without PostgreSQL, from this machine's files, with a warning",
  async fn() {
    const dir = await Deno.makeTempDir();
    const store = await openPostgresStore("postgres://postgres@127.0.0.1:1/none", { retryMs: 600_000 });
    try {
      await writeDay(dir, TODAY, [logRecord({ instance: "r1", cost_eur: 0.25 })], { instance: "r1" });
      const warnings: string[] = [];
      const replica = openReplica(store, {
        dir,
        instance: "r1",
        retryMs: 600_000,
        warn: (m) => warnings.push(m),
      })!;
      assert.equal(await replica.rebuildSource(), undefined);
      assert.match(
        warnings.join("\n"),
        /PostgreSQL is unreachable: today's spend is rebuilt from the log files/,
      );
      const stats = await cost().rebuild(dir, await replica.rebuildSource());
      assert.equal(stats.eur, 0.25);
      assert.equal(replica.ready(), false);
      assert.deepEqual(replica.health().store, {
        backend: "postgres",
        up: false,
        error: store.health().error,
        snapshot_age_ms: null,
      });
      await replica.close();
    } finally {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

dropAtEnd(db);

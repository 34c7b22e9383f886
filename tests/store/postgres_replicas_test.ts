/**
 * Two replicas with their own log folders on one PostgreSQL store: both replicas' records reach it, a
 * restarted replica rebuilds today's spend of both, a key created through one works on the other, and
 * `azmw cost report` reports both.
 */
import assert from "node:assert/strict";
import { costReportCommand } from "../../src/cli/cost.ts";
import { serveMock } from "../../src/mock/mod.ts";
import { openPostgresPool } from "../../src/store/postgres_open.ts";
import { UPSTREAM_KEY } from "../_helpers/app.ts";
import { fakeIo } from "../_helpers/cli.ts";
import { dropAtEnd, freshDatabase } from "../_helpers/postgres.ts";
import { FIXED_KEY, startReplica } from "./_serve.ts";
import { fileLines, until } from "../_helpers/until.ts";

const db = await freshDatabase();

Deno.test({
  name:
    "two replicas: records of both in PostgreSQL, spend rebuilt from both, one store for keys, one report",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const mock = serveMock({ apiKey: UPSTREAM_KEY });
    const root = await Deno.makeTempDir();
    const env = { AZMW_DATABASE_URL: db.url, UP_KEY: UPSTREAM_KEY };
    const start = (instance: string) =>
      startReplica({ dir: `${root}/${instance}`, instance, mockUrl: mock.url, env });
    const sql = await openPostgresPool(db.url, { max: 1 });
    const rows = async () =>
      (await sql`SELECT instance, count(*)::int AS n, sum(cost_eur) AS eur FROM call_records
        GROUP BY instance ORDER BY instance`).map((r) => [r.instance, r.n, Number(r.eur)]);
    let r1 = await start("r1");
    const r2 = await start("r2");
    try {
      let calls = 0; // every answered call leaves one record
      for (let i = 0; i < 3; i++, calls++) assert.equal((await r1.call(FIXED_KEY)).status, 200);
      for (let i = 0; i < 5; i++, calls++) assert.equal((await r2.call(FIXED_KEY)).status, 200);
      await until(
        "both replicas' records",
        async () => JSON.stringify((await rows()).map((r) => r[1])) === "[3,5]",
      );
      const [[, , eur1], [, , eur2]] = await rows() as [[string, number, number], [string, number, number]];
      assert.ok(eur1 > 0 && eur2 > 0);

      // r1 restarts: today's spend is both replicas'.
      const stopped = await r1.stop();
      assert.equal(stopped.code, 0, stopped.err);
      r1 = await start("r1");
      const spend = (await r1.health()).spend_today_eur;
      assert.ok(Math.abs(spend - (eur1 + eur2)) < 1e-9, `${spend} ≠ ${eur1} + ${eur2}`);

      // A key created through r2's management API works on r1 (its snapshot follows the store).
      const created = await fetch(`${r2.url}/manage/projects`, {
        method: "POST",
        headers: { authorization: "Bearer manage-secret", "content-type": "application/json" },
        body: JSON.stringify({ name: "shared" }),
      });
      assert.equal(created.status, 201, await created.text());
      const key = await (await fetch(`${r2.url}/manage/keys`, {
        method: "POST",
        headers: { authorization: "Bearer manage-secret", "content-type": "application/json" },
        body: JSON.stringify({ project: "shared", name: "k" }),
      })).json();
      await until("the key to work on r1", async () => (calls++, (await r1.call(key.secret)).status === 200));

      const written = async () => (await fileLines(`${root}/r1/logs`)) + (await fileLines(`${root}/r2/logs`));
      const shipped = async () => (await rows()).reduce((n, r) => n + (r[1] as number), 0);
      await until("every call shipped", async () => await shipped() === await written());
      const cfg = `${root}/r1/azmw.yaml`;
      const report = async (extra: string[]) => {
        const io = fakeIo(env);
        const code = await costReportCommand.run(
          costReportCommand.parseArgs(["-c", cfg, "--by", "key", "--format", "json", ...extra]),
          io,
        );
        assert.equal(code, 0, io.err);
        const total = JSON.parse(io.out).total;
        return (total.requests + (total.refused ?? 0)) as number; // refused: the 401s before the key arrived
      };
      // The same as reading both replicas' files, once the last records written have been shipped (a call
      // answered just before can still be on its way to the file and then to PostgreSQL).
      const fromFiles = async () =>
        (await report(["--logs-dir", `${root}/r1/logs`])) + (await report(["--logs-dir", `${root}/r2/logs`]));
      await until("every call in the files and in PostgreSQL", async () => {
        const files = await fromFiles();
        return files === calls && await report([]) === files;
      });
      assert.equal(await report([]), calls, "every replica's calls");
    } finally {
      for (const r of [r1, r2]) {
        const s = await r.stop();
        assert.equal(s.code, 0, s.err);
      }
      await sql.end();
      await mock.shutdown();
      await Deno.remove(root, { recursive: true });
    }
  },
});

dropAtEnd(db);

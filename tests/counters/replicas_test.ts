/**
 * Three real gateway processes sharing one PostgreSQL store and one Redis prefix act as one gateway: a
 * daily cap, an RPM limit, a revocation and a token's `max_requests` hold across them, and `cost report`
 * sees every replica's calls.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { costReportCommand } from "../../src/cli/cost.ts";
import { fakeIo } from "../_helpers/cli.ts";
import { freshDatabase } from "../_helpers/postgres.ts";
import { chat, startReplicas } from "../_helpers/replicas.ts";
import { dropPrefix, REDIS_URL, testPrefix } from "../_helpers/redis.ts";

const DAY = new Date().toISOString().slice(0, 10).replaceAll("-", "");

Deno.test({
  name: "three replicas on one PostgreSQL and one Redis share their limits and their records",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const prefix = testPrefix();
    const db = await freshDatabase();
    const gw = await startReplicas({ prefix, storeUrl: db.url });
    const [r1, r2, r3] = gw.replicas as [typeof gw.replicas[0], typeof gw.replicas[0], typeof gw.replicas[0]];
    const all = [r1, r2, r3];
    // A credential created through one replica reaches the others through the store (PostgreSQL announces
    // each change; a replica's copy also refreshes every 250 ms): wait until every replica knows it.
    const known = async (secret: string) => {
      const deadline = Date.now() + 5_000;
      for (const r of all) {
        for (;;) {
          const res = await fetch(`${r.url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
          await res.body?.cancel();
          if (res.status === 200) break;
          if (Date.now() > deadline) throw new Error(`${r.url} does not know the new credential`);
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }
    };
    const newKey = async (project: string, policy: Record<string, unknown>) => {
      await gw.manage(r1, "POST", "projects", { name: project, policy });
      const key = await gw.manage(r2, "POST", "keys", { project }) as { id: string; secret: string };
      await known(key.secret);
      return key;
    };
    try {
      await t.step("an RPM limit of 10 admits exactly 10 of 30 calls", async () => {
        const key = await newKey("rpm", { rpm: 10 });
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) => chat(all[i % 3]!, key.secret)),
        );
        const statuses = results.map((r) => r.status);
        assert.equal(statuses.filter((s) => s === 200).length, 10, JSON.stringify(statuses));
        assert.equal(
          statuses.filter((s) => s === 429).length,
          20,
          JSON.stringify(results.filter((r) => r.status !== 200 && r.status !== 429)),
        );
        const refused = results.find((r) => r.status === 429)!.body as { error: { code: string } };
        assert.equal(refused.error.code, "rate_limit_exceeded");
      });

      await t.step("a token's max_requests holds across replicas", async () => {
        await gw.manage(r1, "POST", "projects", { name: "tokens", policy: {} });
        // 8 requests: the 3 that find every replica knows the token (one each) and 5 calls.
        const token = await gw.manage(r3, "POST", "tokens", { project: "tokens", max_requests: 8 }) as {
          secret: string;
        };
        await known(token.secret);
        const results = await Promise.all(
          Array.from({ length: 15 }, (_, i) => chat(all[i % 3]!, token.secret)),
        );
        const statuses = results.map((r) => r.status);
        assert.equal(statuses.filter((s) => s === 200).length, 5, JSON.stringify(statuses));
        const codes = results.filter((r) => r.status !== 200).map((r) =>
          (r.body.error as { code: string }).code
        );
        assert.deepEqual([...new Set(codes)], ["token_exhausted"]);
      });

      await t.step("a key revoked through replica 1 is refused by replica 3 within 1 s", async () => {
        const key = await newKey("revoke", {});
        assert.equal((await chat(r3, key.secret)).status, 200); // replica 3 has it cached now
        await gw.manage(r1, "POST", `keys/${key.id}/revoke`);
        const revoked = performance.now();
        let status = 200;
        let calls = 0;
        while (status === 200 && performance.now() - revoked < 2_000) {
          status = (await chat(r3, key.secret)).status;
          calls++;
        }
        const ms = performance.now() - revoked;
        assert.equal(status, 401);
        assert.ok(ms < 1_000, `refused after ${ms.toFixed(0)} ms`);
        console.log(`revocation seen by replica 3 after ${ms.toFixed(1)} ms (${calls} calls)`);
      });

      await t.step("a daily cap holds for 90 concurrent calls over three replicas", async () => {
        const cap = 0.25;
        const key = await newKey("capped", { daily_cost_eur: cap });
        const results = await Promise.all(
          Array.from({ length: 90 }, (_, i) => chat(all[i % 3]!, key.secret)),
        );
        const ok = results.filter((r) => r.status === 200).length;
        const refused = results.filter((r) => r.status === 429);
        assert.equal(ok + refused.length, 90, JSON.stringify(results.map((r) => r.status)));
        assert.ok(refused.length > 0, "the cap was reached");
        assert.equal((refused[0]!.body.error as { code: string }).code, "daily_cost_cap_exceeded");
        // Every replica stops here; shutdown waits for the settlements to reach Redis.
        assert.deepEqual(await Promise.all(all.map((r) => r.stop())), [0, 0, 0]);
        const redis = new Redis(REDIS_URL);
        try {
          const spent = Number(await redis.hget(`${prefix}spend:${DAY}:project:capped`, "spent")) / 1e9;
          const held = await redis.hget(`${prefix}spend:${DAY}:project:capped`, "reserved");
          console.log(`daily cap €${cap}: ${ok} of 90 calls admitted, €${spent.toFixed(4)} settled`);
          assert.ok(spent > 0);
          assert.ok(spent <= cap * 1.01, `settled €${spent} is more than the cap €${cap} + 1%`);
          assert.equal(held, "0", "no reservation is left behind");
        } finally {
          redis.disconnect();
        }
      });

      await t.step("cost report reads every replica's calls from PostgreSQL", async () => {
        const env = {
          AZMW_DATABASE_URL: db.url,
          AZMW_MANAGE_TOKEN: "x",
          MOCK_KEY: "x",
          AZMW_REDIS_URL: REDIS_URL,
        };
        const requests = async (extra: string[]) => {
          const io = fakeIo(env);
          const args = ["-c", `${gw.dir}/r1.yaml`, "--format", "json", ...extra];
          assert.equal(await costReportCommand.run(costReportCommand.parseArgs(args), io), 0, io.err);
          return JSON.parse(io.out).total;
        };
        // Every replica stopped above; each shipped its records before it exited.
        const files = await requests(["--logs-dir", `${gw.dir}/logs`]);
        const fromDb = await requests([]);
        assert.ok(files.requests + files.refused >= 30 + 15 + 90, JSON.stringify(files));
        assert.deepEqual(fromDb, files);
      });
    } finally {
      await gw.close();
      await dropPrefix(prefix);
      await db.drop();
    }
  },
});

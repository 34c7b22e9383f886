/**
 * Three real gateway processes sharing one store file and one Redis prefix act as one gateway: a daily
 * cap, an RPM limit, a revocation and a token's `max_requests` hold across them.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { chat, startReplicas } from "../_helpers/replicas.ts";
import { dropPrefix, REDIS_URL, testPrefix } from "../_helpers/redis.ts";

const DAY = new Date().toISOString().slice(0, 10).replaceAll("-", "");

Deno.test({
  name: "three replicas share their limits through Redis",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const prefix = testPrefix();
    const gw = await startReplicas({ prefix });
    const [r1, r2, r3] = gw.replicas as [typeof gw.replicas[0], typeof gw.replicas[0], typeof gw.replicas[0]];
    const all = [r1, r2, r3];
    const newKey = async (project: string, policy: Record<string, unknown>) => {
      await gw.manage(r1, "POST", "projects", { name: project, policy });
      return await gw.manage(r2, "POST", "keys", { project }) as { id: string; secret: string };
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
        const token = await gw.manage(r3, "POST", "tokens", { project: "tokens", max_requests: 5 }) as {
          secret: string;
        };
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
    } finally {
      await gw.close();
      await dropPrefix(prefix);
    }
  },
});

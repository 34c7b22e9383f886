import assert from "node:assert/strict";
import { createCostControl } from "../../src/cost/control.ts";
import { GatewayError } from "../../src/core/errors.ts";
import { openSharedCounters } from "../../src/counters/mod.ts";
import {
  caller,
  callRecord,
  costConfig,
  FLAT_PRICING,
  logRecord,
  NOW,
  TODAY,
  usage,
  writeDay,
} from "../cost/_util.ts";
import { dropPrefix, REDIS_URL, testPrefix } from "../_helpers/redis.ts";

/** Two tokens of prompt plus 9 of output: a reservation of €0.011. */
const BODY = { messages: [{ role: "user", content: "abcd" }], max_tokens: 9 };

async function replicas(prefix: string, budget: Record<string, unknown>, n = 2) {
  const warnings: string[] = [];
  const config = costConfig({
    pricing: FLAT_PRICING,
    budget,
    shared: { redis: "env:TEST_REDIS", prefix, on_unavailable: "closed" },
  });
  const out = [];
  for (let i = 0; i < n; i++) {
    const shared = (await openSharedCounters(config, { env: () => REDIS_URL }))!;
    await shared.client.whenReady();
    const cost = createCostControl(config, {
      now: () => NOW,
      warn: (m) => warnings.push(m),
      tokenizer: false,
      counters: shared.spend,
      claimAlert: shared.claimAlert,
    });
    out.push({ shared, cost });
  }
  return { replicas: out, warnings };
}

Deno.test("admitShared(): a cap holds across replicas, settled spend included", async () => {
  const prefix = testPrefix();
  const { replicas: [a, b] } = await replicas(prefix, { daily_eur: 0.05 });
  try {
    assert.equal(a!.cost.shared, true);
    const admitted = [];
    const first = await a!.cost.admitShared(caller(), { model: "m", body: BODY, operation: "chat" });
    admitted.push(first);
    const bound = first.reservationEur;
    // Every reservation is an upper bound of its call's cost: as many fit as the cap holds, alternating
    // replicas, and the next is refused because it does not fit.
    const fit = Math.floor(0.05 / bound + 1e-9);
    assert.ok(fit >= 1);
    for (let i = 1; i < fit; i++) {
      admitted.push(
        await [a!, b!][i % 2]!.cost.admitShared(caller(), { model: "m", body: BODY, operation: "chat" }),
      );
    }
    const err = await b!.cost.admitShared(caller(), { model: "m", body: BODY, operation: "chat" }).catch((
      e,
    ) => e);
    assert.ok(err instanceof GatewayError);
    assert.equal(err.status, 429);
    assert.equal(err.code, "daily_cost_cap_exceeded");
    assert.match(err.message, /Daily cost cap of €0\.05 for the gateway cannot hold this call/);
    assert.ok(admitted.reduce((n, x) => n + x.reservationEur, 0) <= 0.05 + 1e-12);
    for (const adm of admitted) adm.settle(callRecord({ usage: usage(2, 3), usageSource: "upstream" }));
    await Promise.all([a!.cost.idle(), b!.cost.idle()]);
    const spent = await a!.shared.client.redis.hgetall(`${prefix}spend:${TODAY}:global`);
    assert.deepEqual(spent, {
      spent: String(Math.round(admitted.length * 0.005e9)),
      reserved: "0",
      inflight: "0",
    });
    assert.equal(a!.cost.spendToday() !== undefined, true);
  } finally {
    await Promise.all([a!.shared.close(), b!.shared.close()]);
    await dropPrefix(prefix);
  }
});

Deno.test("budget alerts: each threshold is sent once across replicas", async () => {
  const prefix = testPrefix();
  const { replicas: rs, warnings } = await replicas(
    prefix,
    { daily_eur: 0.018, alert_thresholds: [0.5, 1] },
    3,
  );
  try {
    // Each call may cost up to its bound but costs €0.002; settled one after the other over three
    // replicas, the spend climbs to the cap and both thresholds are crossed once.
    for (let i = 0; i < 9; i++) {
      const r = rs[i % 3]!;
      const adm = await r.cost.admitShared(caller(), {
        model: "m",
        body: { input: "ab" },
        operation: "embeddings",
      }).catch(() => null);
      if (adm === null) {
        // What is left of the cap no longer holds the bound: book the rest as unadmitted calls would be.
        r.cost.sink(callRecord({ usage: usage(2, 0), usageSource: "upstream" }));
      } else adm.settle(callRecord({ usage: usage(2, 0), usageSource: "upstream" }));
      await r.cost.idle();
      await r.shared.spend.drain();
    }
    await Promise.all(rs.map((r) => r.cost.idle()));
    const alerts = warnings.filter((w) => w.startsWith("Daily cost of the gateway"));
    assert.deepEqual(alerts.map((w) => w.match(/reached (\d+)%/)![1]).sort(), ["100", "50"]);
  } finally {
    await Promise.all(rs.map((r) => r.shared.close()));
    await dropPrefix(prefix);
  }
});

Deno.test("reseed(): today's spend comes back from the records after Redis lost it", async () => {
  const prefix = testPrefix();
  const dir = await Deno.makeTempDir();
  const { replicas: [a] } = await replicas(prefix, {});
  try {
    await writeDay(dir, TODAY, [logRecord({ cost_eur: 0.5 }), logRecord({ cost_eur: 0.25 })]);
    assert.equal(await a!.cost.reseed(dir), true);
    assert.equal(
      await a!.shared.client.redis.hget(`${prefix}spend:${TODAY}:project:demo`, "spent"),
      String(0.75e9),
    );
    assert.equal(await a!.cost.reseed(dir), false, "the day is seeded once");
  } finally {
    await a!.shared.close();
    await dropPrefix(prefix);
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { createCostControl } from "../../src/cost/control.ts";
import { GatewayError } from "../../src/server/errors.ts";
import { caller, callRecord, costConfig, FLAT_PRICING, NOW, usage } from "./_util.ts";

/** A seeded generator, so every run interleaves the same way. */
function lcg(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

Deno.test("100 concurrent calls against a cap for ~10 never spend over it: reservations must fit", async () => {
  for (const seed of [1, 2, 3, 42, 4242]) {
    const random = lcg(seed);
    const cap = 1; // €1: each call reserves €0.116 (16 prompt + 100 output tokens), so about 10 fit.
    const cost = createCostControl(
      costConfig({ pricing: FLAT_PRICING, budget: { daily_eur: cap } }),
      { now: () => NOW, tokenizer: false },
    );
    const body = { messages: [], max_tokens: 100 };
    let admitted = 0;
    let refused = 0;
    let maxInFlight = 0;
    await Promise.all(Array.from({ length: 100 }, async () => {
      await ticks(Math.floor(random() * 50));
      let admission;
      try {
        admission = cost.admit(caller(), { model: "m", body, operation: "chat" });
      } catch (err) {
        assert.ok(err instanceof GatewayError && err.status === 429);
        refused++;
        return;
      }
      admitted++;
      maxInFlight = Math.max(maxInFlight, cost.ledger.get("global").reserved);
      await ticks(Math.floor(random() * 80));
      // Real output between 50 and 100 tokens, within what was asked for.
      const tokens = 50 + Math.floor(random() * 51);
      admission.settle(callRecord({ usage: usage(0, tokens), usageSource: "upstream" }));
    }));
    const spent = cost.spendToday();
    assert.equal(admitted + refused, 100);
    assert.ok(admitted >= 10 && admitted <= 25, `seed ${seed}: ${admitted} admitted`);
    assert.ok(maxInFlight <= cap, `seed ${seed}: ${maxInFlight} reserved`);
    assert.ok(spent <= cap, `seed ${seed}: spent ${spent} over the cap of ${cap}`);
    assert.deepEqual(cost.ledger.get("global").reserved, 0);
    assert.equal(cost.ledger.get("global").inflight, 0);
  }
});

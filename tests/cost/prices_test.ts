import assert from "node:assert/strict";
import { costOf } from "../../src/cost/calculator.ts";
import { defaultFallbackPrice, defaultModelPrices, priceSource } from "../../src/cost/prices.ts";
import { PriceTable } from "../../src/cost/pricing.ts";
import { usageOfJson } from "../../src/cost/record_cost.ts";
import { usageJson } from "../../src/logs/record.ts";
import { usageFromBytes } from "../../src/pipeline/usage_bytes.ts";
import { normalizeUsage } from "../../src/streams/usage.ts";
import { usage } from "./_util.ts";

const table = new PriceTable(undefined);
const eur = (model: string, prompt: number, completion: number) =>
  costOf(usage(prompt, completion), table.lookup([model]).price);

Deno.test("every shipped row names its source and the date it was checked", () => {
  for (const key of Object.keys(defaultModelPrices())) {
    const src = priceSource(key);
    assert.ok(src !== null && /^https:\/\/|^not on a provider page/.test(src.source), key);
    assert.match(src.checked, /^\d{4}-\d{2}-\d{2}$/, key);
  }
  assert.equal(priceSource("no-such-row"), null);
});

Deno.test("the fallback is at least every shipped price of every kind, so it never understates", () => {
  const f = defaultFallbackPrice();
  for (const [key, p] of Object.entries(defaultModelPrices())) {
    for (const tier of p.longContext ? [p, p.longContext] : [p]) {
      assert.ok(f.input >= tier.input && f.output >= tier.output, key);
      assert.ok(f.cachedInput! >= (tier.cachedInput ?? tier.input), key);
      assert.ok(f.cacheWrite! >= (tier.cacheWrite ?? 0) && f.cacheWrite1h! >= (tier.cacheWrite1h ?? 0), key);
    }
  }
});

Deno.test("current models have their own rows: Claude 4.6 and 5.x, gpt-5.2, 5.x codex, dated snapshots", () => {
  // EUR per 1M = USD × 0.86.
  assert.equal(eur("claude-sonnet-4-6", 1e6, 0), 2.58);
  assert.equal(eur("claude-sonnet-5", 1e6, 1e6), 10.32);
  assert.equal(eur("claude-sonnet-5-5", 0, 1e6), 8.6);
  assert.equal(eur("claude-haiku-5-5", 1e5, 1e6), 0.4386, "up to 100K prompt tokens");
  assert.equal(eur("claude-haiku-5-5", 100_001, 0), 0.04300043, "over 100K every token at the tier");
  assert.equal(eur("claude-opus-4-20250514", 1e6, 0), 12.9, "a dated Opus 4 is Opus 4");
  assert.equal(eur("claude-opus-5", 1e6, 0), 4.3);
  assert.equal(eur("gpt-5.2", 1e6, 1e6), 13.545);
  assert.equal(eur("gpt-5.3-codex", 1e6, 0), 1.505);
  assert.equal(
    eur("gpt-5.4-2026-03-05", 1000, 0),
    0.00215,
    "a dated snapshot is its family, not the fallback",
  );
  assert.equal(eur("gpt-5.4", 272_001, 0), 1.1696043, "over 272K prompt tokens: 2 × input (4.3 per 1M)");
});

Deno.test("Anthropic 1-hour cache writes are billed at 2 × input", () => {
  const p = table.lookup(["claude-sonnet-4-5"]).price;
  // 1000 writes of which 600 for one hour: 400 × 3.225 + 600 × 5.16 = 4386 → €0.004386
  assert.equal(costOf(usage(1000, 0, { cacheWriteTokens: 1000, cacheWrite1hTokens: 600 }), p), 0.004386);
});

Deno.test("Anthropic usage with cache_creation.ephemeral_1h_input_tokens is billed and logged with the 1-hour part", () => {
  const u = normalizeUsage("messages", {
    input_tokens: 10,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 1000,
    cache_creation: { ephemeral_5m_input_tokens: 400, ephemeral_1h_input_tokens: 600 },
    output_tokens: 0,
  })!;
  assert.equal(u.cacheWrite1hTokens, 600);
  const logged = usageJson(u);
  assert.equal(logged.cache_write_1h_tokens, 600);
  const p = table.lookup(["claude-sonnet-4-5"]).price;
  // 10 × 2.58 + 400 × 3.225 + 600 × 5.16 = 4411.8 → €0.0044118, the same from the log
  assert.equal(costOf(u, p), 0.0044118);
  assert.equal(costOf(usageOfJson(logged), p), 0.0044118);
});

Deno.test("service_tier: priority at its listed price, unpriced tiers never understated, flex at standard", () => {
  const gpt54 = table.lookup(["gpt-5.4"]).price;
  const priority = usage(1e6, 1e6, { serviceTier: "priority" });
  // openai.com/api-priority-processing: gpt-5.4 priority USD 5 / 30 → EUR 4.3 + 25.8
  assert.equal(costOf(priority, gpt54), 30.1);
  assert.equal(costOf(usage(1000, 0, { serviceTier: "flex" }), gpt54), 0.00215, "flex: standard (a bound)");
  const o3 = table.lookup(["o3"]).price;
  assert.equal(costOf(usage(1e6, 0, { serviceTier: "priority" }), o3), 4.3, "no listed price: 2.5 × 1.72");
  assert.equal(costOf(usage(1e6, 0, { serviceTier: "default" }), o3), 1.72);
  const chunk = normalizeUsage("messages", { input_tokens: 5, output_tokens: 1, service_tier: "priority" });
  assert.equal(chunk?.serviceTier, "priority");
  assert.equal(
    normalizeUsage("messages", { input_tokens: 5, service_tier: "standard" })?.serviceTier,
    undefined,
  );
  assert.equal(usageJson(priority).service_tier, "priority");
  assert.equal(usageOfJson(usageJson(priority)).serviceTier, "priority");
});

Deno.test("usageFromBytes() reads a priority service_tier beside the usage of a passed-through JSON body", () => {
  const body = (tier: string, content = "ok") =>
    new TextEncoder().encode(JSON.stringify({
      id: "c",
      object: "chat.completion",
      model: "gpt-5.4",
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
      service_tier: tier,
      usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
    }));
  assert.equal(usageFromBytes("chat", body("priority"))?.serviceTier, "priority");
  assert.equal(usageFromBytes("chat", body("default"))?.serviceTier, undefined);
  const tricky = body("default", 'say "service_tier": "priority"');
  assert.equal(usageFromBytes("chat", tricky)?.serviceTier, undefined, "escaped text is not a key");
});

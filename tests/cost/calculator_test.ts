import assert from "node:assert/strict";
import { costOf, costParts, roundEur } from "../../src/cost/calculator.ts";
import { defaultModelPrices, usdToEur } from "../../src/cost/prices.ts";
import { type Price, PriceTable, resolvePrice } from "../../src/cost/pricing.ts";
import { usage } from "./_util.ts";

const PRICE: Price = {
  input: 2,
  cachedInput: 0.5,
  output: 8,
  reasoning: null,
  cacheWrite: 2.5,
  cacheWrite1h: 4,
  long: null,
};

Deno.test("costParts() bills each token kind once at its own price", () => {
  // 1000 prompt = 600 plain + 300 cached + 100 cache writes; 500 completion = 200 output + 300 reasoning.
  const u = usage(1000, 500, { cachedTokens: 300, cacheWriteTokens: 100, reasoningTokens: 300 });
  // plain 600 × 2 = 1200, cached 300 × 0.5 = 150, writes 100 × 2.5 = 250 → input side 1600;
  // reasoning has no price of its own, so all 500 × 8 = 4000 → 5600 / 1e6 = €0.0056.
  assert.deepEqual(costParts(u, PRICE), {
    input: 0.0012,
    cached: 0.00015,
    cacheWrite: 0.00025,
    output: 0.004,
    reasoning: 0,
    total: 0.0056,
  });
  // With a reasoning price of 20: input side 1600, output 200 × 8 = 1600, reasoning 300 × 20 = 6000
  // → 9200 / 1e6 = €0.0092.
  assert.equal(costOf(u, { ...PRICE, reasoning: 20 }), 0.0092);
});

Deno.test("costParts() clamps inconsistent usage instead of billing tokens twice", async (t) => {
  await t.step("more cached than prompt tokens", () => {
    // cached clamps to 100 (all prompt), nothing plain: 100 × 0.5 = 50 → €0.00005.
    assert.equal(costOf(usage(100, 0, { cachedTokens: 150 }), PRICE), 0.00005);
  });
  await t.step("cache writes beyond what is left of the prompt", () => {
    // 100 prompt: 80 cached (40), 20 writes (50) → €0.00009.
    assert.equal(costOf(usage(100, 0, { cachedTokens: 80, cacheWriteTokens: 50 }), PRICE), 0.00009);
  });
  await t.step("reasoning beyond completion, negative numbers", () => {
    // reasoning clamps to 10 completion tokens × 20 = 200 → €0.0002.
    assert.equal(costOf(usage(0, 10, { reasoningTokens: 99 }), { ...PRICE, reasoning: 20 }), 0.0002);
    assert.equal(costOf(usage(-5, -5), PRICE), 0);
  });
});

Deno.test("roundEur() removes float noise at a pico-euro", () => {
  assert.equal(0.1 + 0.2 === 0.3, false);
  assert.equal(roundEur(0.1 + 0.2), 0.3);
  assert.equal(roundEur(151 * 0.129 / 1e6), 0.000019479);
});

Deno.test("resolvePrice() fills cached input, reasoning and cache writes", () => {
  assert.deepEqual(resolvePrice({ input: 3, output: 15 }), {
    input: 3,
    cachedInput: 3,
    output: 15,
    reasoning: null,
    cacheWrite: 3.75,
    cacheWrite1h: 6,
    long: null,
  });
});

Deno.test("costParts() bills 1-hour cache writes at their own price and long prompts at the tier's prices", () => {
  const price = resolvePrice({
    input: 2,
    output: 10,
    longContext: { above: 1000, input: 4, output: 15 },
  });
  // 100 writes, 40 of them for one hour: 60 × 2.5 + 40 × 4 = 310; 10 plain × 2 = 20; 5 out × 10 = 50
  const short = costParts(usage(110, 5, { cacheWriteTokens: 100, cacheWrite1hTokens: 40 }), price);
  assert.equal(short.cacheWrite, 0.00031);
  assert.equal(short.total, 0.00038);
  // 1001 prompt tokens pass the threshold: every token at the tier, 1001 × 4 + 10 × 15 = 4154
  assert.equal(costOf(usage(1001, 10), price), 0.004154);
  assert.equal(costOf(usage(1000, 10), price), 0.0021, "at the threshold the base prices apply");
});

Deno.test("the shipped table converts USD list prices at the documented rate", () => {
  const table = defaultModelPrices();
  assert.equal(usdToEur(2.5), 2.15);
  assert.deepEqual(table["gpt-4o"], { input: 2.15, cachedInput: 1.075, output: 8.6 });
  assert.deepEqual(table["claude-sonnet-4-5*"], {
    input: 2.58,
    cachedInput: 0.258,
    output: 12.9,
    cacheWrite: 3.225,
    cacheWrite1h: 5.16,
    longContext: {
      above: 200000,
      input: 5.16,
      cachedInput: 0.516,
      output: 19.35,
      cacheWrite: 6.45,
      cacheWrite1h: 10.32,
    },
  });
  assert.deepEqual(table["text-embedding-3-large"], { input: 0.1118, cachedInput: 0.1118, output: 0 });
  for (const [name, p] of Object.entries(table)) {
    assert.ok(p.input >= 0 && p.output >= 0 && (p.cachedInput ?? 0) <= p.input, name);
  }
});

Deno.test("PriceTable.lookup() prefers exact names, then the most specific glob", async (t) => {
  const table = new PriceTable(undefined);
  await t.step("exact", () => assert.equal(table.lookup(["gpt-4o"]).key, "gpt-4o"));
  await t.step("most specific glob wins over a broader one", () => {
    assert.equal(table.lookup(["gpt-4o-mini-2024-07-18"]).key, "gpt-4o-mini*");
    assert.equal(table.lookup(["gpt-5.4-mini"]).key, "gpt-5.4-mini*");
    assert.equal(table.lookup(["claude-opus-4-1-20250805"]).key, "claude-opus-4-1*");
    assert.equal(table.lookup(["claude-opus-4-5-20251101"]).price.input, 4.3);
  });
  await t.step("a dated snapshot resolves to its family", () => {
    assert.equal(table.lookup(["gpt-5.4-2026-03-05"]).key, "gpt-5.4");
    assert.equal(table.lookup(["gpt-5-2025-08-07"]).price.input, table.lookup(["gpt-5"]).price.input);
  });
  await t.step("each name exact, then glob, before the next name: the serving target wins", () => {
    // A deployment named after its model (gpt-4o-mini) serving the alias "gpt-4o".
    assert.equal(table.lookup(["gpt-4o-mini-2024-07-18", "gpt-4o"]).key, "gpt-4o-mini*");
  });
  await t.step("deployment first, then model, then the model the upstream reported", () => {
    assert.equal(table.lookup(["prod-chat", "gpt-4o", "gpt-4o-mini-2024-07-18"]).key, "gpt-4o");
    assert.equal(table.lookup(["prod-chat", "chat", "gpt-4o-2024-11-20"]).key, "gpt-4o", "via its family");
    assert.equal(table.lookup([null, undefined, "o4-mini-2025-04-16"]).key, "o4-mini*");
  });
});

Deno.test("PriceTable warns once per unknown model and bills the fallback, never zero", () => {
  const warnings: string[] = [];
  const table = new PriceTable(undefined, { warn: (m) => warnings.push(m) });
  const first = table.lookup(["mystery-model"]);
  table.lookup(["mystery-model"]);
  table.lookup(["other-mystery"], { quiet: true });
  assert.equal(first.key, null);
  assert.deepEqual(first.price, table.fallback);
  assert.ok(table.fallback.input > 0 && table.fallback.output > 0);
  assert.deepEqual(warnings, [
    'No price for model "mystery-model": billing it at the fallback price of €129 input and €516 output ' +
    "per 1M tokens; add it under pricing.models",
  ]);
  assert.equal(costOf(usage(1000, 0), first.price), 0.129);
});

Deno.test("PriceTable: configured prices override the shipped ones, or replace them", () => {
  const models = {
    "gpt-4o": { input: 1, output: 2 },
    "gpt-4o*": { input: 3, output: 4 },
    "local-*": { input: 0, output: 0 },
  };
  const table = new PriceTable({
    currency: "EUR",
    defaults: true,
    models,
    fallback: { input: 9, output: 9 },
  });
  assert.equal(table.lookup(["gpt-4o"]).price.input, 1);
  assert.equal(
    table.lookup(["gpt-4o-2024-11-20"]).price.input,
    3,
    "a configured glob beats the shipped family",
  );
  assert.equal(table.lookup(["gpt-4o-audio"]).price.input, 3);
  assert.equal(costOf(usage(100, 100), table.lookup(["local-llama"]).price), 0);
  const only = new PriceTable({
    currency: "EUR",
    defaults: false,
    models,
    fallback: { input: 9, output: 9 },
  });
  assert.equal(only.lookup(["o3"]).key, null);
});

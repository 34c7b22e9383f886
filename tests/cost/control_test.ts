import assert from "node:assert/strict";
import { createCostControl } from "../../src/cost/control.ts";
import { logRecordOf } from "../../src/logs/record.ts";
import { GatewayError } from "../../src/core/errors.ts";
import { billed, caller, callRecord, costConfig, FLAT_PRICING, NOW, usage } from "./_util.ts";

/**
 * €0.001 per token of model "m". Admission bounds the prompt by the UTF-8 bytes of its strings plus 4
 * per object plus 16: "user" and "abcd" are 8, the message 4 → 28 tokens, plus 9 requested output tokens
 * → a reservation of €0.037.
 */
const BODY = { messages: [{ role: "user", content: "abcd" }], max_tokens: 9 };

function control(budget: Record<string, unknown> = {}, options: { now?: () => number; tz?: string } = {}) {
  const warnings: string[] = [];
  const config = costConfig({
    pricing: FLAT_PRICING,
    budget,
    server: { timezone: options.tz ?? "UTC" },
  });
  const cost = createCostControl(config, {
    now: options.now ?? (() => NOW),
    warn: (m) => warnings.push(m),
    tokenizer: false,
  });
  return { cost, warnings };
}

function refusal(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  assert.fail("expected a refusal");
}

Deno.test("admit() reserves prompt plus requested output, priced", () => {
  const { cost } = control();
  const a = cost.admit(caller(), { model: "m", body: BODY, operation: "chat" });
  assert.equal(a.reservationEur, 0.037);
  assert.equal(a.downshiftTo, undefined);
  assert.equal(a.set, undefined, "the client's maximum is left alone");
  assert.equal(cost.ledger.get("project:demo").reserved, 0.037);
  const e = cost.admit(caller(), { model: "m", body: { input: "abcdabcd" }, operation: "embeddings" });
  assert.equal(e.reservationEur, 0.024, "embeddings reserve no output");
  const d = cost.admit(caller(), { model: "m", body: { messages: [] }, operation: "chat" });
  assert.equal(d.reservationEur, 4.112, "the default max output is reserved when none is asked for");
  assert.equal(d.set, undefined, "without a cap the upstream's maximum is not set");
  const n = cost.admit(caller(), {
    model: "m",
    body: { prompt: "abcd", n: 2, best_of: 3, max_tokens: 10 },
    operation: "completions",
  });
  assert.equal(n.reservationEur, 0.05, "20 prompt tokens and 3 × 10 output tokens (best_of 3)");
});

Deno.test("settle() swaps the reservation for the real cost and returns it for the record", () => {
  const { cost } = control();
  const a = cost.admit(caller(), { model: "m", body: BODY, operation: "chat" });
  const rec = callRecord({ usage: usage(3, 4), usageSource: "upstream" });
  const settled = a.settle(rec);
  assert.deepEqual(settled, { costEur: 0.007, estimated: false });
  assert.deepEqual(a.settle(rec), { costEur: 0.007, estimated: false }, "a second settle changes nothing");
  assert.equal(rec.costEur, undefined, "the record is left as it is");
  const final = billed(rec, settled);
  assert.equal(final.costEur, 0.007);
  assert.equal(final.costEstimated, false);
  for (const scope of ["global", "project:demo", "key:dev"]) {
    assert.deepEqual(cost.ledger.get(scope), { spent: 0.007, reserved: 0, inflight: 0 }, scope);
  }
  assert.equal(logRecordOf(final, "i").cost_eur, 0.007);
  assert.equal(logRecordOf(final, "i").usage_source, "upstream");
});

Deno.test("settle() refunds failed calls and estimates calls the upstream answered without usage", async (t) => {
  await t.step("refused by the upstream, no usage: nothing is billed", () => {
    const { cost } = control();
    const a = cost.admit(caller(), { model: "m", body: BODY, operation: "chat" });
    const rec = callRecord({ status: 502, error: { type: "upstream_error", code: "x", message: "bad" } });
    assert.deepEqual(a.settle(rec), { costEur: 0, estimated: false });
    assert.deepEqual(cost.ledger.get("global"), { spent: 0, reserved: 0, inflight: 0 });
  });
  await t.step("never reached an upstream", () => {
    const { cost } = control();
    const a = cost.admit(caller(), { model: "m", body: BODY, operation: "chat" });
    assert.equal(a.settle(callRecord({ attempts: 0, status: 404 })).costEur, 0);
  });
  await t.step("stream cut off without usage: estimated from the body and what arrived", () => {
    const { cost } = control();
    const a = cost.admit(caller(), { model: "m", body: BODY, operation: "chat" });
    const rec = callRecord({
      status: "client_closed",
      stream: true,
      assembled: { content: "abcdefgh", toolCalls: [], events: 3 },
    });
    // Without the tokenizer, four characters a token: prompt text "abcd" → 1 token (roles are covered by
    // the overhead) + 1 message × 3 + 3 priming = 7; output "abcdefgh" → 2 tokens.
    const settled = a.settle(rec);
    assert.deepEqual(settled, { costEur: 0.009, estimated: true, usage: usage(7, 2) });
    const final = billed(rec, settled);
    assert.deepEqual(final.usage, usage(7, 2));
    assert.equal(rec.usage, null, "the record is left as it is");
    const line = logRecordOf(final, "i");
    assert.equal(line.usage_source, "estimated");
    assert.equal(line.usage?.prompt_tokens, 7);
    assert.equal(cost.spendToday("key:dev"), 0.009);
  });
});

Deno.test("sink() books calls that were never admitted, once", () => {
  const { cost } = control();
  const rec = callRecord({ usage: usage(10, 0), usageSource: "upstream" });
  assert.deepEqual(cost.sink(rec), { costEur: 0.01, estimated: false });
  cost.sink(rec);
  assert.equal(cost.spendToday(), 0.01);
  assert.equal(cost.spendToday("project:demo"), 0.01);
});

Deno.test("admit() refuses at the cap with 429, the spend, the cap and Retry-After until midnight", async (t) => {
  // 22:30 UTC is 23:30 in Berlin: the cost day ends in 30 minutes.
  const now = Date.UTC(2026, 10, 25, 22, 30, 0);
  await t.step("project cap, spent over it", () => {
    const { cost } = control({}, { now: () => now, tz: "Europe/Berlin" });
    const who = caller({ projectCap: 5 });
    cost.sink(
      callRecord({ usage: usage(5010, 0), usageSource: "upstream", ts: new Date(now).toISOString() }),
    );
    const err = refusal(() => cost.admit(who, { model: "m", body: BODY, operation: "chat" }));
    assert.equal(err.status, 429);
    assert.equal(err.code, "daily_cost_cap_exceeded");
    assert.equal(err.message, 'Daily cost cap of €5.00 for project "demo" reached: spent €5.01 today');
    assert.deepEqual(err.headers, { "retry-after": "1800" });
  });
  await t.step("boundary: a reservation that just fits admits, spend at the cap refuses", () => {
    const { cost } = control();
    const who = caller({ keyCap: 0.03 });
    cost.sink(callRecord({ usage: usage(14, 0), usageSource: "upstream" }));
    // 16 prompt tokens (an empty message list) and no output: €0.016, exactly what is left.
    const a = cost.admit(who, { model: "m", body: { messages: [], max_tokens: 0 }, operation: "chat" });
    assert.equal(a.reservationEur, 0.016);
    a.settle(callRecord({ usage: usage(16, 0), usageSource: "upstream" }));
    assert.equal(cost.spendToday("key:dev"), 0.03);
    const err = refusal(() => cost.admit(who, { model: "m", body: BODY, operation: "chat" }));
    assert.equal(err.message, 'Daily cost cap of €0.03 for key "dev" reached: spent €0.03 today');
  });
  await t.step("calls in flight count towards the cap; a reservation must fit what is left", () => {
    const { cost } = control({ daily_eur: 0.08 });
    cost.admit(caller(), { model: "m", body: BODY, operation: "chat" });
    cost.admit(caller(), { model: "m", body: BODY, operation: "chat" });
    const err = refusal(() => cost.admit(caller(), { model: "m", body: BODY, operation: "chat" }));
    assert.equal(
      err.message,
      "Daily cost cap of €0.08 for the gateway cannot hold this call (it may cost up to €0.037): " +
        "spent €0.00 today, €0.074 more reserved by calls in progress",
    );
  });
  await t.step("a cap of zero refuses everything; a token's own cap applies to the token", () => {
    const { cost } = control();
    const err = refusal(() =>
      cost.admit(caller({ token: "tok_1", keyCap: 0 }), { model: "m", operation: "chat" })
    );
    assert.match(err.message, /^Daily cost cap of €0\.00 for token "tok_1" reached/);
  });
});

Deno.test("admit() downshifts past the threshold instead of refusing, and still refuses at the cap", () => {
  const { cost } = control({ daily_eur: 1, downshift: { m: "cheap", at: 0.5 } });
  const who = caller();
  const admit = (model: string) => {
    const a = cost.admit(who, { model, body: BODY, operation: "chat" });
    a.settle(callRecord({ usage: usage(0, 0), usageSource: "upstream" }));
    return a;
  };
  assert.equal(admit("m").downshiftTo, undefined);
  cost.sink(callRecord({ usage: usage(488, 0), usageSource: "upstream" }));
  assert.equal(admit("m").downshiftTo, undefined, "48.8% plus a reservation of 1.1% stays below 50%");
  cost.sink(callRecord({ usage: usage(12, 0), usageSource: "upstream" }));
  const shifted = admit("m");
  assert.equal(shifted.downshiftTo, "cheap");
  assert.equal(shifted.reservationEur, 0.0037, "reserved at the cheaper model's price");
  assert.equal(admit("other").downshiftTo, undefined);
  cost.sink(callRecord({ usage: usage(500, 0), usageSource: "upstream" }));
  refusal(() => cost.admit(who, { model: "m", body: BODY, operation: "chat" }));
});

Deno.test("a call that starts before midnight and settles after it counts against the day it is filed under", () => {
  let now = Date.UTC(2026, 10, 25, 23, 59, 0);
  const { cost, warnings } = control({ daily_eur: 0.1 }, { now: () => now });
  const a = cost.admit(caller(), { model: "m", body: BODY, operation: "chat" });
  cost.sink(callRecord({ usage: usage(70, 0), usageSource: "upstream", ts: new Date(now).toISOString() }));
  const started = new Date(now).toISOString();
  now += 120_000;
  assert.equal(cost.ledger.day, "20261126");
  assert.equal(cost.ledger.get("global").reserved, 0, "a new day starts without yesterday's reservations");
  a.settle(callRecord({ usage: usage(20, 0), usageSource: "upstream", ts: started }));
  assert.equal(cost.spendToday(), 0);
  assert.deepEqual(cost.ledger.get("global", "20261125"), { spent: 0.09, reserved: 0, inflight: 0 });
  assert.ok(
    warnings.some((w) => /reached 80% of its cap: €0\.09 of €0\.10 spent on 20261125/.test(w)),
    "the settled call crosses yesterday's threshold",
  );
  assert.ok(cost.admit(caller(), { model: "m", body: BODY, operation: "chat" }).reservationEur > 0);
  now += 86_400_000;
  assert.equal(cost.ledger.add("20261125", ["global"], 1), false, "two days back is gone");
});

Deno.test("a reasoning model's stream without usage is billed at the output it reserved, an upper bound", () => {
  const config = costConfig({
    upstreams: [{ name: "u", kind: "openai", deployments: ["o4-mini", "m"] }],
    pricing: {
      defaults: false,
      models: { "o4-mini": { input: 1000, output: 1000 }, m: { input: 1000, output: 1000 } },
      fallback: { input: 1, output: 1 },
    },
  });
  const cost = createCostControl(config, { now: () => NOW, tokenizer: false });
  const body = { messages: [{ role: "user", content: "abcd" }], max_completion_tokens: 100, stream: true };
  const assembled = { content: "Hi", toolCalls: [], events: 3 };
  const a = cost.admit(caller(), { model: "o4-mini", body, operation: "chat" });
  const rec = callRecord({ model: "o4-mini", deployment: "o4-mini", usage: null, assembled, stream: true });
  // Estimated prompt: "abcd" at four characters a token (1) + 3 per message + 3 = 7; output: the 100
  // reserved, since the reasoning tokens are not in the text.
  const settled = a.settle(rec);
  assert.deepEqual([settled.costEur, settled.estimated], [0.107, true]);
  assert.equal(billed(rec, settled).usage?.completionTokens, 100);
  const b = cost.admit(caller(), { model: "m", body: { ...body, model: "m" }, operation: "chat" });
  const plain = callRecord({ usage: null, assembled, stream: true });
  assert.equal(b.settle(plain).costEur, 0.008, "other models: the prompt and the visible text (1 token)");
});

Deno.test("a caller's max_tokens policy bounds what is reserved and set when a request names no maximum", () => {
  const { cost } = control({ daily_eur: 100 });
  const limited = { keyId: "dev", project: null, tokenId: null, policy: { scopes: [], maxTokens: 100 } };
  const a = cost.admit(limited, { model: "m", body: { messages: [] }, operation: "chat" });
  assert.deepEqual(a.set, { max_tokens: 100 });
  assert.equal(a.reservationEur, 0.116, "16 prompt tokens and 100 output tokens");
  const free = cost.admit(caller(), { model: "m", body: { messages: [] }, operation: "chat" });
  // 1% of what is left (€99.884 − 16 prompt tokens) at €0.001 a token
  assert.deepEqual(free.set, { max_tokens: 998 }, "without the policy: the share of the cap");
});

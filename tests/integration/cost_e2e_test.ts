/**
 * End to end: a gateway with a daily cap in EUR in front of the mock. Calls are priced from the
 * upstream's usage, the cap refuses with 429 and Retry-After until the day ends, and the settled spend
 * never exceeds the cap by more than what was in flight.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { parseConfigText } from "../../src/config/load.ts";
import { costStage, createCostControl } from "../../src/cost/mod.ts";
import { mockTokenCounts, serveMock } from "../../src/mock/mod.ts";
import { createAppLog } from "../../src/observability/app_log.ts";
import type { CallRecord } from "../../src/core/record.ts";
import { startGateway } from "../../src/server/gateway.ts";
import { configKeys } from "../_helpers/callers.ts";

Deno.test("a daily cost cap refuses calls once spent, with the spend and cap in the message", async () => {
  const mock = serveMock({ apiKey: "up" });
  const config = parseConfigText(
    `auth: { keys: [{ id: dev, key: env:C, project: demo }] }
upstreams:
  - { name: mock, kind: azure, endpoint: ${mock.url}, auth: { type: api_key, key: env:U }, deployments: [{ name: gpt-4o-prod, model: gpt-4o }] }
pricing:
  models:
    gpt-4o: { input: 1000, output: 2000 }
budget:
  daily_eur: 1
logs: { bodies: false }
`,
    "cost.yaml",
    { hostname: () => "h" },
  );
  const env = (n: string) => ({ C: "caller", U: "up" } as Record<string, string>)[n];
  const warnings: string[] = [];
  const cost = createCostControl(config, { env, warn: (m) => warnings.push(m) });
  const records: CallRecord[] = [];
  config.server.port = 0; // any free port: parallel runs must not collide
  const gw = await startGateway(config, {
    env,
    log: createAppLog(() => {}),
    callers: configKeys([costStage(cost)]),
    sinks: [(r) => records.push(r)],
  });
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "caller", maxRetries: 0 });
  const messages = [{ role: "user" as const, content: "How much does this cost?" }];
  // Mock usage: prompt = ceil(chars / 4) + 3 per message, completion = 8 chunks × 7 tokens = 56.
  const { prompt, completion } = mockTokenCounts({ messages }, { chunks: 8 });
  // € = prompt × 1000 / 1e6 + completion × 2000 / 1e6
  const perCall = prompt * 0.001 + completion * 0.002;
  try {
    const first = await client.chat.completions.create({ model: "gpt-4o", messages });
    assert.equal(first.usage?.completion_tokens, completion);
    assert.ok(Math.abs(records[0]!.costEur! - perCall) < 1e-9, `${records[0]!.costEur} vs ${perCall}`);

    let refused: InstanceType<typeof OpenAI.APIError> | null = null;
    for (let i = 0; i < 20 && refused === null; i++) {
      try {
        await client.chat.completions.create({ model: "gpt-4o", messages });
      } catch (err) {
        refused = err as InstanceType<typeof OpenAI.APIError>;
      }
    }
    assert.ok(refused, "the cap stops calls");
    assert.equal(refused.status, 429);
    assert.equal(refused.code, "daily_cost_cap_exceeded");
    assert.match(refused.message, /€1\.00/);
    assert.ok(Number(refused.headers?.get("retry-after")) > 0);
    const ok = records.filter((r) => r.status === 200).length;
    // A call is admitted while an upper bound of its cost fits what is left: 8 calls leave €0.024, less
    // than the 9th call's prompt bound (48 bytes at €0.001) — the cap is never passed.
    assert.equal(ok, Math.floor(1 / perCall), "calls are admitted while their bound fits under the cap");
    assert.ok(cost.spendToday() <= 1, `spend ${cost.spendToday()}`);
  } finally {
    await gw.shutdown(2000);
    await mock.shutdown();
  }
});

Deno.test("a reload takes a new budget while today's spend carries over", async () => {
  const mock = serveMock({ apiKey: "up" });
  const yaml = (cap: number) =>
    `auth: { keys: [{ id: dev, key: env:C }] }
upstreams:
  - { name: mock, kind: azure, endpoint: ${mock.url}, auth: { type: api_key, key: env:U }, deployments: [{ name: gpt-4o-prod, model: gpt-4o }] }
pricing: { models: { gpt-4o: { input: 1000, output: 2000 } } }
budget: { daily_eur: ${cap} }
logs: { bodies: false }
`;
  const env = (n: string) => ({ C: "caller", U: "up" } as Record<string, string>)[n];
  const first = parseConfigText(yaml(0.1), "a.yaml", { hostname: () => "h" });
  first.server.port = 0; // any free port: parallel runs must not collide
  let cost = createCostControl(first, { env, warn: () => {} });
  const gw = await startGateway(first, {
    env,
    log: createAppLog(() => {}),
    callers: configKeys((c) => {
      if (c !== first) cost = createCostControl(c, { env, warn: () => {}, ledger: cost.ledger });
      return [costStage(cost)];
    }),
  });
  const call = async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer caller", "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    });
    await res.body?.cancel();
    return res.status;
  };
  try {
    assert.equal(await call(), 200); // one call costs about €0.12: over the €0.10 cap afterwards
    assert.equal(await call(), 429);
    const spent = cost.spendToday();
    await gw.reload(parseConfigText(yaml(10), "b.yaml", { hostname: () => "h" }));
    assert.equal(cost.spendToday(), spent, "today's spend carries over the reload");
    assert.equal(await call(), 200, "the new cap is live");
    assert.ok(cost.spendToday() > spent);
  } finally {
    await gw.shutdown(2000);
    await mock.shutdown();
  }
});

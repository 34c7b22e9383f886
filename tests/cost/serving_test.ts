/**
 * Through the pipeline: calls are priced by the target that served them (downshift, an alias of the
 * embedded default, failover to another provider), the reservation by the dearest target that may
 * serve them, and the output maximum the budget reserved reaches the upstream.
 */
import assert from "node:assert/strict";
import { embeddedConfig, parseConfigText } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import { costStage, createCostControl } from "../../src/cost/mod.ts";
import { sha256Hex } from "../../src/core/sha256.ts";
import type { CallRecord } from "../../src/core/record.ts";
import { apiKeyAuth } from "../../src/providers/azure/auth.ts";
import { testApp } from "../_helpers/app.ts";
import { NOW } from "./_util.ts";

const KEY = "azmw_caller_secret_0123456789";

/** OpenAI chat answer with the usage given. */
function chatAnswer(model: string, prompt: number, completion: number): Response {
  return Response.json({
    id: "c1",
    object: "chat.completion",
    model,
    choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  });
}

function anthropicAnswer(model: string, input: number, output: number): Response {
  return Response.json({
    id: "msg_1",
    type: "message",
    role: "assistant",
    model,
    content: [{ type: "text", text: "ok" }],
    stop_reason: "end_turn",
    usage: { input_tokens: input, output_tokens: output },
  });
}

interface Seen {
  url: string;
  body: Record<string, unknown>;
}

function gateway(config: Config, upstream: (seen: Seen) => Response) {
  config.auth.keys = [{ id: "dev", sha256: sha256Hex(KEY) }];
  const cost = createCostControl(config, { now: () => NOW, tokenizer: false });
  const records: CallRecord[] = [];
  const seen: Seen[] = [];
  const app = testApp({
    config,
    callerKeys: [{ id: "dev", sha256: sha256Hex(KEY) }],
    upstreamAuth: new Map(config.upstreams.map((u) => [u.name, apiKeyAuth("up")])),
    fetch: (url, init) => {
      const text = typeof init.body === "string"
        ? init.body
        : new TextDecoder().decode(init.body as Uint8Array);
      const s = { url, body: JSON.parse(text) };
      seen.push(s);
      return Promise.resolve(upstream(s));
    },
    now: () => NOW,
    admission: [costStage(cost)],
    sink: (r) => records.push(r),
  });
  const call = async (path: string, body: unknown) => {
    const res = await app(
      new Request(`http://gw${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    );
    await res.body?.cancel();
    return res.status;
  };
  return { cost, records, seen, call };
}

const MINI = 0.129; // EUR per 1M input tokens of gpt-4o-mini (USD 0.15 × 0.86)
const MINI_OUT = 0.516;

Deno.test("a call is billed at the price of the model that served it", async (t) => {
  await t.step("the embedded default's alias gpt-4o is served by gpt-4o-mini", async () => {
    const config = embeddedConfig({ mockUrl: "http://mock", keySha256: "0".repeat(64) });
    const gw = gateway(config, () => chatAnswer("gpt-4o-mini-2024-07-18", 1_000_000, 1_000_000));
    assert.equal(await gw.call("/v1/chat/completions", { model: "gpt-4o", messages: [] }), 200);
    assert.equal(gw.records[0]!.costEur, MINI + MINI_OUT);
  });
  await t.step("a budget downshift gpt-4o → gpt-4o-mini", async () => {
    const config = parseConfigText(
      `upstreams:
  - { name: az, kind: azure, endpoint: "https://res.example", auth: { type: api_key, key: env:U }, deployments: [{ name: gpt-4o, model: gpt-4o }, { name: gpt-4o-mini, model: gpt-4o-mini }] }
budget: { daily_eur: 100, downshift: { gpt-4o: gpt-4o-mini, at: 0 } }
`,
      "t.yaml",
      { hostname: () => "h" },
    );
    const gw = gateway(config, () => chatAnswer("gpt-4o-mini", 1_000_000, 1_000_000));
    assert.equal(
      await gw.call("/v1/chat/completions", { model: "gpt-4o", messages: [], max_tokens: 5 }),
      200,
    );
    assert.match(gw.seen[0]!.url, /deployments\/gpt-4o-mini\//);
    assert.equal(gw.records[0]!.costEur, MINI + MINI_OUT);
    assert.equal(gw.cost.spendToday(), MINI + MINI_OUT);
  });
  await t.step("failover from gpt-5 to claude-sonnet-4-5 is billed at Claude's price", async () => {
    const config = parseConfigText(
      `upstreams:
  - { name: az, kind: azure, endpoint: "https://res.example", auth: { type: api_key, key: env:U }, deployments: [{ name: gpt-5, model: gpt-5 }] }
  - { name: an, kind: anthropic, auth: { type: api_key, key: env:A }, deployments: [claude-sonnet-4-5] }
models:
  smart:
    targets:
      - { upstream: az, deployment: gpt-5, priority: 0 }
      - { upstream: an, model: claude-sonnet-4-5, priority: 1 }
routing: { retries: 0 }
budget: { daily_eur: 100 }
`,
      "t.yaml",
      { hostname: () => "h" },
    );
    const gw = gateway(
      config,
      (s) =>
        s.url.includes("anthropic")
          ? anthropicAnswer("claude-sonnet-4-5-20250929", 100_000, 1_000_000)
          : new Response('{"error":{"message":"down"}}', { status: 500 }),
    );
    const status = await gw.call("/v1/chat/completions", { model: "smart", messages: [] });
    assert.equal(status, 200);
    assert.equal(gw.records[0]!.deployment, "claude-sonnet-4-5");
    // 100,000 input tokens (under the 200K long-context tier) at 2.58 and 1M output at 12.9.
    assert.equal(gw.records[0]!.costEur, 13.158);
    // Reserved at the dearer of the two per token kind (gpt-5 output 8.6 < Claude's 12.9), with the
    // upstream's maximum set: gpt-5 takes max_completion_tokens, which the Anthropic adapter reads too.
    assert.equal(gw.seen[1]!.body.max_tokens, 4096);
    assert.equal(gw.seen[0]!.body.max_completion_tokens, 4096);
  });
});

Deno.test("with a cap, a call without a maximum gets the output it reserved as the upstream's maximum", async () => {
  const config = parseConfigText(
    `upstreams:
  - { name: az, kind: azure, endpoint: "https://res.example", auth: { type: api_key, key: env:U }, deployments: [{ name: gpt-4o, model: gpt-4o }] }
budget: { daily_eur: 0.5 }
`,
    "t.yaml",
    { hostname: () => "h" },
  );
  const gw = gateway(config, (s) => chatAnswer("gpt-4o", 10, Number(s.body.max_tokens)));
  assert.equal(await gw.call("/v1/chat/completions", { model: "gpt-4o", messages: [] }), 200);
  // 5% of €0.50 at gpt-4o's output price (8.6 per 1M) after the prompt bound: under the default 4096.
  const set = Number(gw.seen[0]!.body.max_tokens);
  assert.ok(set > 256 && set < 4096, `max_tokens ${set}`);
  assert.equal(await gw.call("/v1/chat/completions", { model: "gpt-4o", messages: [], max_tokens: 7 }), 200);
  assert.equal(gw.seen[1]!.body.max_tokens, 7, "a client's maximum is kept");
  assert.equal(await gw.call("/v1/responses", { model: "gpt-4o", input: "hi" }), 200);
  assert.ok(Number(gw.seen[2]!.body.max_output_tokens) > 0, "Responses take max_output_tokens");
});

/**
 * Golden figures: recorded usage shapes of each provider, normalised by the gateway's own parsers, priced
 * with the shipped table, compared with the EUR figure worked out by hand in each comment. Shipped EUR
 * prices per 1M tokens (USD × 0.86) used below:
 *   gpt-4o*        input 2.15   cached 1.075   output 8.6
 *   gpt-4o-mini*   input 0.129  cached 0.0645  output 0.516
 *   gpt-4.1*       input 1.72   cached 0.43    output 6.88     (o3 the same)
 *   o4-mini*       input 0.946  cached 0.2365  output 3.784
 *   claude-sonnet-4  input 2.58 cache read 0.258 cache write 3.225 output 12.9
 *   claude-haiku-4-5 input 0.86 output 4.3
 *   text-embedding-3-small 0.0172
 */
import assert from "node:assert/strict";
import { costOf } from "../../src/cost/calculator.ts";
import { PriceTable } from "../../src/cost/pricing.ts";
import { createAssembler } from "../../src/streams/assemble.ts";
import { sseTap } from "../../src/streams/sse.ts";
import type { Operation, Usage } from "../../src/core/operation.ts";
import { usageFromBody } from "../../src/streams/usage.ts";

const table = new PriceTable(undefined, { warn: (m) => assert.fail(m) });
const fixture = (path: string) => new URL(`../fixtures/${path}`, import.meta.url);

function price(model: string, u: Usage): number {
  return costOf(u, table.lookup([model]).price);
}

async function streamed(op: Operation, path: string): Promise<{ model: string; usage: Usage }> {
  const asm = createAssembler(op);
  const bytes = await Deno.readFile(fixture(path));
  await ReadableStream.from([bytes]).pipeThrough(new TransformStream(sseTap((ev) => asm.push(ev)))).pipeTo(
    new WritableStream(),
  );
  const r = asm.result();
  assert.ok(r.usage && r.model);
  return { model: r.model, usage: r.usage };
}

async function body(op: Operation, path: string): Promise<{ model: string; usage: Usage }> {
  const json = JSON.parse(await Deno.readTextFile(fixture(path)));
  return { model: json.model, usage: usageFromBody(op, json)! };
}

Deno.test("golden: OpenAI chat, plain usage", () => {
  const u = usageFromBody("chat", { usage: { prompt_tokens: 19, completion_tokens: 10, total_tokens: 29 } })!;
  // 19 × 2.15 = 40.85; 10 × 8.6 = 86 → 126.85 / 1e6 = €0.00012685
  assert.equal(price("gpt-4o", u), 0.00012685);
});

Deno.test("golden: OpenAI chat with cached prompt tokens (recorded body)", async () => {
  const { model, usage } = await body("chat", "providers/openai/chat_completion_tools.json");
  // gpt-4o-2024-08-06: prompt 2133 of which 2048 cached, completion 49.
  // plain 85 × 2.15 = 182.75; cached 2048 × 1.075 = 2201.6; output 49 × 8.6 = 421.4 → €0.00280575
  assert.equal(price(model, usage), 0.00280575);
});

Deno.test("golden: OpenAI chat stream with a usage chunk (recorded stream)", async () => {
  const { model, usage } = await streamed("chat", "streams/openai_chat_usage.sse");
  // gpt-4o-mini-2024-07-18: prompt 2071 of which 1920 cached, completion 11.
  // plain 151 × 0.129 = 19.479; cached 1920 × 0.0645 = 123.84; output 11 × 0.516 = 5.676 → €0.000148995
  assert.equal(price(model, usage), 0.000148995);
});

Deno.test("golden: Azure OpenAI stream priced by the model the upstream reported", async () => {
  const { model, usage } = await streamed("chat", "providers/openai/azure_stream_usage.sse");
  // gpt-4o-2024-11-20 behind a deployment named "chat-prod": prompt 1310 of which 1152 cached, completion 9.
  // plain 158 × 2.15 = 339.7; cached 1152 × 1.075 = 1238.4; output 9 × 8.6 = 77.4 → €0.0016555
  assert.equal(costOf(usage, table.lookup(["chat-prod", "chat", model]).price), 0.0016555);
});

Deno.test("golden: OpenAI reasoning tokens are part of the output, billed once", () => {
  const u = usageFromBody("chat", {
    usage: {
      prompt_tokens: 1200,
      completion_tokens: 850,
      total_tokens: 2050,
      prompt_tokens_details: { cached_tokens: 1024 },
      completion_tokens_details: { reasoning_tokens: 640 },
    },
  })!;
  // o4-mini: plain 176 × 0.946 = 166.496; cached 1024 × 0.2365 = 242.176;
  // output 850 (640 reasoning included) × 3.784 = 3216.4 → 3625.072 / 1e6 = €0.003625072
  assert.equal(price("o4-mini", u), 0.003625072);
});

Deno.test("golden: Responses API stream (recorded) and reasoning usage", async () => {
  const { model, usage } = await streamed("responses", "streams/responses.sse");
  // gpt-4.1-2025-04-14: input 1843 of which 1536 cached, output 37.
  // plain 307 × 1.72 = 528.04; cached 1536 × 0.43 = 660.48; output 37 × 6.88 = 254.56 → €0.00144308
  assert.equal(price(model, usage), 0.00144308);
  const reasoning = usageFromBody("responses", {
    usage: {
      input_tokens: 500,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 1500,
      output_tokens_details: { reasoning_tokens: 1200 },
      total_tokens: 2000,
    },
  })!;
  // o3: 500 × 1.72 = 860; 1500 × 6.88 = 10320 → €0.01118
  assert.equal(price("o3", reasoning), 0.01118);
});

Deno.test("golden: embeddings", () => {
  const u = usageFromBody("embeddings", { usage: { prompt_tokens: 8, total_tokens: 8 } })!;
  // 8 × 0.0172 = 0.1376 → €0.0000001376
  assert.equal(price("text-embedding-3-small", u), 0.0000001376);
});

Deno.test("golden: Anthropic plain usage", () => {
  const u = usageFromBody("messages", { usage: { input_tokens: 25, output_tokens: 120 } })!;
  // claude-haiku-4-5: 25 × 0.86 = 21.5; 120 × 4.3 = 516 → €0.0005375
  assert.equal(price("claude-haiku-4-5-20251001", u), 0.0005375);
});

Deno.test("golden: Anthropic cache reads and writes (recorded body)", async () => {
  const { model, usage } = await body("messages", "providers/anthropic/message_tool_use.json");
  // claude-sonnet-4-20250514: input_tokens 472 (plain), cache reads 2048, cache writes 120, output 89.
  // plain 472 × 2.58 = 1217.76; reads 2048 × 0.258 = 528.384; writes 120 × 3.225 = 387;
  // output 89 × 12.9 = 1148.1 → 3281.244 / 1e6 = €0.003281244
  assert.equal(usage.promptTokens, 2640);
  assert.equal(price(model, usage), 0.003281244);
});

Deno.test("golden: Anthropic stream with cache reads and writes (recorded stream)", async () => {
  const { model, usage } = await streamed("messages", "streams/anthropic.sse");
  // claude-sonnet-4-20250514: plain 14 × 2.58 = 36.12; reads 2048 × 0.258 = 528.384;
  // writes 256 × 3.225 = 825.6; output 71 × 12.9 = 915.9 → 2306.004 / 1e6 = €0.002306004
  assert.equal(price(model, usage), 0.002306004);
});

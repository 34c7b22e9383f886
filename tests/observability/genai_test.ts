import assert from "node:assert/strict";
import {
  errorType,
  genAiAttributes,
  metricAttributes,
  responseInfo,
  upstreamInfos,
} from "../../src/observability/genai.ts";
import type { CallRecord } from "../../src/pipeline/record.ts";

const enc = new TextEncoder();

function record(over: Partial<CallRecord> = {}): CallRecord {
  return {
    id: "r1",
    ts: "2026-11-25T00:00:00.000Z",
    caller: null,
    dialect: "openai",
    operation: "chat",
    model: "gpt-4o",
    upstream: "azure-main",
    deployment: "gpt-4o-prod",
    status: 200,
    stream: false,
    attempts: 1,
    latencyMs: 120,
    ttfbMs: 80,
    usage: null,
    usageSource: null,
    error: null,
    requestBody: null,
    responseBody: null,
    assembled: null,
    ...over,
  } as CallRecord;
}

Deno.test("responseInfo() reads id, model and finish reasons of each API's non-streamed answer", async (t) => {
  await t.step("chat completions, every choice", () => {
    const body = enc.encode(JSON.stringify({
      id: "chatcmpl-1",
      model: "gpt-4o-2024-11-20",
      choices: [{ finish_reason: "stop" }, { finish_reason: "length" }],
    }));
    assert.deepEqual(responseInfo(record({ responseBody: body })), {
      id: "chatcmpl-1",
      model: "gpt-4o-2024-11-20",
      finishReasons: ["stop", "length"],
    });
  });
  await t.step("Anthropic messages", () => {
    const body = enc.encode(JSON.stringify({ id: "msg_1", model: "claude", stop_reason: "end_turn" }));
    assert.deepEqual(responseInfo(record({ responseBody: body })).finishReasons, ["end_turn"]);
  });
  await t.step("Responses API", () => {
    const body = enc.encode(JSON.stringify({ id: "resp_1", object: "response", status: "completed" }));
    assert.deepEqual(responseInfo(record({ responseBody: body })).finishReasons, ["completed"]);
  });
  await t.step("not JSON, not an object, empty, or too large: nothing", () => {
    assert.deepEqual(responseInfo(record({ responseBody: enc.encode("{nope") })), {});
    assert.deepEqual(responseInfo(record({ responseBody: enc.encode("[1]") })), {});
    assert.deepEqual(responseInfo(record({ responseBody: new Uint8Array() })), {});
    const big = new Uint8Array((1 << 20) + 1).fill(0x20);
    big[0] = 0x7b;
    assert.deepEqual(responseInfo(record({ responseBody: big })), {});
  });
  await t.step("a stream: what was assembled", () => {
    const assembled = {
      id: "c",
      model: "m",
      content: "",
      toolCalls: [],
      finishReason: "tool_calls",
      events: 2,
    };
    assert.deepEqual(responseInfo(record({ assembled } as Partial<CallRecord>)), {
      id: "c",
      model: "m",
      finishReasons: ["tool_calls"],
    });
  });
});

Deno.test("genAiAttributes() names the provider that served the call and exports integers", () => {
  const upstream = { provider: "anthropic", address: "api.anthropic.com", port: 443 };
  const a = genAiAttributes(
    record({
      dialect: "openai",
      usage: {
        promptTokens: 12,
        completionTokens: 3,
        cachedTokens: 0,
        reasoningTokens: 0,
        totalTokens: 15,
        cacheWriteTokens: 5,
      },
    }),
    { upstream },
  );
  assert.equal(a["gen_ai.provider.name"], "anthropic");
  assert.equal(a["server.address"], "api.anthropic.com");
  assert.equal(a["server.port"], 443n);
  assert.equal(a["gen_ai.usage.input_tokens"], 12n);
  assert.equal(a["gen_ai.usage.output_tokens"], 3n);
  assert.equal(a["gen_ai.usage.cache_creation.input_tokens"], 5n);
  assert.equal(a["gen_ai.usage.cache_read.input_tokens"], undefined);
  assert.equal(a["gen_ai.system"], undefined);
  assert.equal(a["error.type"], undefined);
});

Deno.test("errorType() is the error code, or the status of a failed call", () => {
  assert.equal(errorType(record({ error: { type: "t", code: "rate_limit", message: "m" } })), "rate_limit");
  assert.equal(errorType(record({ status: 502 })), "502");
  assert.equal(errorType(record({ status: 200 })), undefined);
  assert.equal(errorType(record({ status: "client_closed" })), undefined);
});

Deno.test("metricAttributes() carries operation, provider, server and both models", () => {
  const body = enc.encode(JSON.stringify({ model: "gpt-4o-2024-11-20" }));
  const a = metricAttributes(record({ responseBody: body, operation: "embeddings" }), {
    upstream: { provider: "azure.ai.openai", address: "contoso.openai.azure.com", port: 443 },
  });
  assert.deepEqual(a, {
    "gen_ai.operation.name": "embeddings",
    "gen_ai.provider.name": "azure.ai.openai",
    "server.address": "contoso.openai.azure.com",
    "server.port": 443,
    "gen_ai.request.model": "gpt-4o",
    "gen_ai.response.model": "gpt-4o-2024-11-20",
  });
});

Deno.test("upstreamInfos() maps each kind to its provider name and address", () => {
  const m = upstreamInfos([
    { name: "a", kind: "azure", endpoint: "https://contoso.openai.azure.com" },
    { name: "o", kind: "openai", endpoint: "http://127.0.0.1:11434/v1" },
    { name: "c", kind: "anthropic", endpoint: "https://api.anthropic.com" },
    { name: "bad", kind: "openai", endpoint: "not a url" },
  ]);
  assert.deepEqual(m.get("a"), {
    provider: "azure.ai.openai",
    address: "contoso.openai.azure.com",
    port: 443,
  });
  assert.deepEqual(m.get("o"), { provider: "openai", address: "127.0.0.1", port: 11434 });
  assert.deepEqual(m.get("c"), { provider: "anthropic", address: "api.anthropic.com", port: 443 });
  assert.equal(m.has("bad"), false);
});

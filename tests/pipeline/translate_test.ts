import assert from "node:assert/strict";
import type { AnthropicUpstreamConfig } from "../../src/config/types.ts";
import { fixtureText } from "../providers/_fixtures.ts";
import { azure, json, routingHarness } from "./_routing.ts";

const claude: AnthropicUpstreamConfig = {
  kind: "anthropic",
  name: "claude",
  endpoint: "https://claude.example",
  auth: { type: "api_key", key: "env:X" },
  anthropicVersion: "2023-06-01",
  defaultMaxTokens: 1000,
  headers: {},
  deployments: [{ name: "claude-sonnet-4-20250514", model: "claude", aliases: [] }],
  timeouts: { firstByteMs: 0, idleMs: 0, totalMs: 0 },
};
const sse = (text: string, headers: Record<string, string> = {}) =>
  new Response(text, { headers: { "content-type": "text/event-stream; charset=utf-8", ...headers } });

Deno.test("a chat client gets a chat completion from an Anthropic upstream, headers kept", async () => {
  const h = routingHarness([claude], {
    claude: () =>
      new Response(fixtureText("anthropic/message_tool_use.json"), {
        headers: {
          "content-type": "application/json",
          "request-id": "req_1",
          "anthropic-ratelimit-requests-remaining": "41",
        },
      }),
  });
  const res = await h.call({ model: "claude", messages: [{ role: "user", content: "Weather?" }] });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("anthropic-ratelimit-requests-remaining"), "41");
  assert.equal(res.headers.get("content-type"), "application/json");
  const body = await res.json();
  assert.equal(body.object, "chat.completion");
  assert.equal(body.choices[0].finish_reason, "tool_calls");
  assert.equal(h.seen[0]!.url, "https://claude.example/v1/messages");
  assert.equal(h.seen[0]!.headers.get("anthropic-version"), "2023-06-01");
  assert.deepEqual(JSON.parse(h.seen[0]!.body), {
    model: "claude-sonnet-4-20250514",
    max_tokens: 1000,
    messages: [{ role: "user", content: "Weather?" }],
  });
  const rec = h.records[0]!;
  assert.deepEqual(rec.usage, {
    promptTokens: 2640,
    completionTokens: 89,
    cachedTokens: 2048,
    reasoningTokens: 0,
    totalTokens: 2729,
    cacheWriteTokens: 120,
  });
  assert.equal(JSON.parse(new TextDecoder().decode(rec.responseBody!)).object, "chat.completion");
});

Deno.test("a chat client streams from an Anthropic upstream; usage is recorded either way", async (t) => {
  for (const includeUsage of [true, false]) {
    await t.step(`include_usage ${includeUsage}`, async () => {
      const h = routingHarness([claude], { claude: () => sse(fixtureText("anthropic/stream_tool_use.sse")) });
      const res = await h.call({
        model: "claude",
        stream: true,
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
        messages: [{ role: "user", content: "Weather?" }],
      });
      assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
      const text = await res.text();
      assert.ok(text.endsWith("data: [DONE]\n\n"));
      assert.equal(text.includes('"usage"'), includeUsage);
      const rec = h.records[0]!;
      assert.equal(rec.usage?.promptTokens, 2318);
      assert.equal(rec.assembled?.toolCalls[0]?.name, "get_weather");
      assert.equal(rec.stream, true);
    });
  }
});

Deno.test("Anthropic errors reach chat clients in the OpenAI shape", async () => {
  const h = routingHarness([claude], {
    claude: () => json(529, JSON.parse(fixtureText("anthropic/error_overloaded.json"))),
  }, { routing: { retries: 0 } });
  const res = await h.call({ model: "claude", messages: [] });
  assert.equal(res.status, 503);
  assert.deepEqual(await res.json(), {
    error: { message: "Overloaded", type: "server_error", param: null, code: "overloaded_error" },
  });
  assert.equal(h.records[0]!.error?.type, "overloaded_error");
});

Deno.test("an Anthropic client gets a message, and errors in its shape, from an Azure upstream", async () => {
  const h = routingHarness([azure("a")], {
    a: (_r, n) =>
      n === 0
        ? new Response(fixtureText("openai/chat_completion_tools.json"), {
          headers: { "content-type": "application/json" },
        })
        : json(400, { error: { message: "Bad tool schema", type: "invalid_request_error" } }),
  });
  const body = { model: "a-model", max_tokens: 50, messages: [{ role: "user", content: "Hi" }] };
  const res = await h.call(body, "/v1/messages");
  assert.equal(res.status, 200);
  const msg = await res.json();
  assert.equal(msg.type, "message");
  assert.equal(msg.stop_reason, "tool_use");
  assert.equal(
    h.seen[0]!.url,
    "https://a.example/openai/deployments/a-dep/chat/completions?api-version=2024-10-21",
  );
  assert.equal(h.records[0]!.usage?.promptTokens, 2133);
  const bad = await h.call(body, "/v1/messages");
  assert.equal(bad.status, 400);
  assert.deepEqual(await bad.json(), {
    type: "error",
    error: { type: "invalid_request_error", message: "Bad tool schema" },
  });
  const missing = await h.call({ ...body, model: "nope" }, "/v1/messages");
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.type, "not_found_error");
});

Deno.test("an Anthropic client passes through to an Anthropic upstream byte for byte", async () => {
  const stream = fixtureText("anthropic/stream_tool_use.sse");
  const h = routingHarness([claude], { claude: () => sse(stream) });
  const raw = '{"model":"claude-sonnet-4-20250514","max_tokens":9,  "stream":true,"messages":[]}';
  const req = JSON.parse(raw);
  const res = await h.call(req, "/v1/messages", { "anthropic-version": "2026-10-21" });
  assert.equal(await res.text(), stream);
  assert.equal(h.seen[0]!.headers.get("anthropic-version"), "2026-10-21");
  assert.equal(h.records[0]!.usage?.completionTokens, 71);
});

Deno.test("a translated stream cut mid-way ends with an error event in the client's dialect", async () => {
  const first = fixtureText("openai/stream_tools_usage.sse").split("\n\n").slice(0, 2).join("\n\n") + "\n\n";
  const enc = new TextEncoder();
  const h = routingHarness([azure("a")], {
    a: () =>
      new Response(
        new ReadableStream({
          start: (c) => c.enqueue(enc.encode(first)),
          pull: (c) => c.error(new TypeError("error reading a body from connection: connection reset")),
        }),
        { headers: { "content-type": "text/event-stream" } },
      ),
  });
  const res = await h.call(
    { model: "a-model", max_tokens: 5, stream: true, messages: [{ role: "user", content: "x" }] },
    "/v1/messages",
  );
  const text = await res.text();
  assert.match(text, /^event: message_start\n/);
  assert.match(
    text,
    /event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"Upstream \\"a\\" failed: connection reset"\}\}\n\n$/,
  );
  const rec = h.records[0]!;
  assert.equal(rec.status, 502);
  assert.equal(rec.error?.code, "upstream_unreachable");
  assert.equal(rec.assembled?.toolCalls[0]?.name, "get_weather");
});

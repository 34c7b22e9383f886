import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { createMockUpstream, mockReplyText, mockTokenCounts, serveMock } from "../../src/mock/mod.ts";
import { jsonRequest, sseEvents } from "./_util.ts";

const V = { "anthropic-version": "2023-06-01" };
const BODY = {
  model: "claude-mock-1",
  max_tokens: 100,
  messages: [{ role: "user", content: "Hi [cached:1]" }],
};
const TOOL = {
  name: "get_weather",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

Deno.test("createMockUpstream() answers Anthropic messages with a message object", async () => {
  const mock = createMockUpstream({ chunks: 2 });
  const body = { ...BODY, system: "Be nice" };
  const res = await mock.handler(jsonRequest("/v1/messages", body, V));
  assert.ok(res.headers.get("request-id")?.startsWith("req_"));
  assert.ok(res.headers.has("anthropic-ratelimit-requests-remaining"));
  const json = await res.json();
  assert.equal(json.type, "message");
  assert.equal(json.role, "assistant");
  assert.equal(json.model, "claude-mock-1");
  assert.deepEqual(json.content, [{ type: "text", text: mockReplyText(2) }]);
  assert.equal(json.stop_reason, "end_turn");
  assert.equal(json.stop_sequence, null);
  const c = mockTokenCounts(body, { chunks: 2 });
  assert.deepEqual(json.usage, {
    input_tokens: c.prompt - 1,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 1,
    output_tokens: c.completion,
  });
});

Deno.test("createMockUpstream() streams Anthropic events in the service's order", async () => {
  const mock = createMockUpstream({ chunks: 2 });
  const text = await (await mock.handler(jsonRequest("/v1/messages", { ...BODY, stream: true }, V))).text();
  assert.ok(text.includes(`event: ping\ndata: {"type": "ping"}\n\n`));
  const events = sseEvents(text);
  assert.deepEqual(events.map((e) => e.event), [
    "message_start",
    "content_block_start",
    "ping",
    "content_block_delta",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
  ]);
  for (const e of events) assert.equal(e.data.type, e.event);
  const delta = events.at(-2)!.data as { delta: { stop_reason: string }; usage: { output_tokens: number } };
  assert.equal(delta.delta.stop_reason, "end_turn");
  assert.equal(delta.usage.output_tokens, 14);
});

Deno.test("createMockUpstream() streams an Anthropic tool_use block as input_json_delta", async () => {
  const mock = createMockUpstream({ chunks: 3 });
  const req = jsonRequest("/v1/messages", { ...BODY, tools: [TOOL], stream: true }, V);
  const events = sseEvents(await (await mock.handler(req)).text());
  const start = events[1]!.data.content_block as Record<string, unknown>;
  assert.equal(start.type, "tool_use");
  assert.equal(start.name, "get_weather");
  const parts = events.filter((e) => e.event === "content_block_delta").map((
    e,
  ) => (e.data.delta as { type: string; partial_json: string }));
  assert.ok(parts.every((p) => p.type === "input_json_delta"));
  assert.deepEqual(JSON.parse(parts.map((p) => p.partial_json).join("")), { city: "mock" });
  assert.equal((events.at(-2)!.data.delta as { stop_reason: string }).stop_reason, "tool_use");
});

Deno.test("createMockUpstream() checks the anthropic-version header", async (t) => {
  const mock = createMockUpstream();
  await t.step("missing", async () => {
    const res = await mock.handler(jsonRequest("/v1/messages", BODY));
    assert.equal(res.status, 400);
    const json = await res.json();
    assert.equal(json.type, "error");
    assert.deepEqual(json.error, {
      type: "invalid_request_error",
      message: "anthropic-version: header is required",
    });
    assert.match(json.request_id, /^req_/);
  });
  await t.step("newer version accepted", async () => {
    const res = await mock.handler(jsonRequest("/v1/messages", BODY, { "anthropic-version": "2026-10-21" }));
    assert.equal(res.status, 200);
    await res.body?.cancel();
  });
  await t.step("malformed", async () => {
    const res = await mock.handler(jsonRequest("/v1/messages", BODY, { "anthropic-version": "latest" }));
    assert.equal(res.status, 400);
    await res.body?.cancel();
  });
  await t.step("max_tokens required", async () => {
    const res = await mock.handler(jsonRequest("/v1/messages", { ...BODY, max_tokens: undefined }, V));
    assert.equal((await res.json()).error.message, "max_tokens: Field required");
  });
});

Deno.test("serveMock() messages parse with the Anthropic SDK, streamed and not", async () => {
  const mock = serveMock({ apiKey: "ak-test", chunks: 3 });
  try {
    const client = new Anthropic({ baseURL: mock.url, apiKey: "ak-test", maxRetries: 0 });
    const message = await client.messages.create({
      model: "claude-mock-1",
      max_tokens: 100,
      messages: [{ role: "user", content: "Hi" }],
    });
    assert.deepEqual(message.content, [{ type: "text", text: mockReplyText(3) }]);
    assert.equal(message.usage.output_tokens, 21);
    assert.equal(mock.requests.at(-1)?.headers.authorization, "Bearer ak-test");
    const stream = client.messages.stream({
      model: "claude-mock-1",
      max_tokens: 100,
      messages: [{ role: "user", content: "weather?" }],
      tools: [TOOL as Anthropic.Tool],
    });
    const final = await stream.finalMessage();
    assert.equal(final.stop_reason, "tool_use");
    const block = final.content[0];
    assert.equal(block?.type, "tool_use");
    assert.deepEqual(block?.type === "tool_use" ? block.input : undefined, { city: "mock" });
    assert.equal(final.usage.output_tokens, 21);
    const bad = new Anthropic({ baseURL: mock.url, apiKey: "wrong", maxRetries: 0 });
    await assert.rejects(
      bad.messages.create({ model: "m", max_tokens: 1, messages: [{ role: "user", content: "x" }] }),
      (e: unknown) => e instanceof Anthropic.AuthenticationError && e.status === 401,
    );
  } finally {
    await mock.shutdown();
  }
});

import assert from "node:assert/strict";
import OpenAI, { AzureOpenAI } from "openai";
import { createMockUpstream, mockReplyText, mockTokenCounts, serveMock } from "../../src/mock/mod.ts";
import { jsonRequest, sseEvents } from "./_util.ts";

const TEXT_EVENTS = [
  "response.created",
  "response.in_progress",
  "response.output_item.added",
  "response.content_part.added",
  "response.output_text.delta",
  "response.output_text.delta",
  "response.output_text.done",
  "response.content_part.done",
  "response.output_item.done",
  "response.completed",
];

Deno.test("createMockUpstream() answers the Responses API with a response object", async () => {
  const mock = createMockUpstream({ chunks: 2 });
  const body = { model: "gpt-4.1", input: "Tell me [cached:1] [reasoning:4]", instructions: "Be brief" };
  const json = await (await mock.handler(jsonRequest("/v1/responses", body))).json();
  assert.equal(json.object, "response");
  assert.match(json.id, /^resp_/);
  assert.equal(json.status, "completed");
  assert.equal(json.model, "gpt-4.1");
  assert.equal(json.instructions, "Be brief");
  assert.equal(json.output.length, 1);
  const message = json.output[0];
  assert.equal(message.type, "message");
  assert.equal(message.role, "assistant");
  assert.deepEqual(message.content, [{
    type: "output_text",
    annotations: [],
    logprobs: [],
    text: mockReplyText(2),
  }]);
  const c = mockTokenCounts(body, { chunks: 2 });
  assert.deepEqual(json.usage, {
    input_tokens: c.prompt,
    input_tokens_details: { cached_tokens: 1 },
    output_tokens: c.completion,
    output_tokens_details: { reasoning_tokens: 4 },
    total_tokens: c.prompt + c.completion,
  });
});

Deno.test("createMockUpstream() streams Responses API events with sequence numbers", async () => {
  const mock = createMockUpstream({ chunks: 2 });
  const res = await mock.handler(
    jsonRequest("/v1/responses", { model: "gpt-4.1", input: "Hi", stream: true }),
  );
  assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
  const events = sseEvents(await res.text());
  assert.deepEqual(events.map((e) => e.event), TEXT_EVENTS);
  events.forEach((e, i) => {
    assert.equal(e.data.type, e.event);
    assert.equal(e.data.sequence_number, i);
  });
  const created = events[0]!.data.response as Record<string, unknown>;
  assert.equal(created.status, "in_progress");
  assert.equal(created.usage, null);
  const deltas = events.filter((e) => e.event === "response.output_text.delta").map((e) => e.data.delta);
  assert.equal(deltas.join(""), mockReplyText(2));
  const done = events.at(-1)!.data.response as Record<string, Record<string, unknown>>;
  assert.equal(done.status, "completed");
  assert.equal(done.usage?.output_tokens, 14);
});

Deno.test("createMockUpstream() answers Responses requests with tools with a function call", async (t) => {
  const mock = createMockUpstream({ chunks: 3 });
  const tools = [{
    type: "function",
    name: "lookup",
    parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
  }];
  await t.step("not streamed", async () => {
    const json = await (await mock.handler(jsonRequest("/v1/responses", { model: "m", input: "x", tools })))
      .json();
    const call = json.output[0];
    assert.equal(call.type, "function_call");
    assert.equal(call.name, "lookup");
    assert.match(call.call_id, /^call_/);
    assert.deepEqual(JSON.parse(call.arguments), { q: "mock" });
  });
  await t.step("streamed", async () => {
    const req = jsonRequest("/v1/responses", { model: "m", input: "x", tools, stream: true });
    const events = sseEvents(await (await mock.handler(req)).text());
    const deltas = events.filter((e) => e.event === "response.function_call_arguments.delta");
    assert.equal(deltas.length, 3);
    const done = events.find((e) => e.event === "response.function_call_arguments.done")!;
    assert.equal(deltas.map((e) => e.data.delta).join(""), done.data.arguments);
    assert.equal(events.at(-1)!.event, "response.completed");
  });
});

Deno.test("serveMock() Responses API parses with the openai SDK, streamed and not", async () => {
  const mock = serveMock({ chunks: 3 });
  try {
    const client = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: "k", maxRetries: 0 });
    const answer = await client.responses.create({ model: "gpt-4.1", input: "Hi" });
    assert.equal(answer.output_text, mockReplyText(3));
    const stream = await client.responses.create({ model: "gpt-4.1", input: "Hi", stream: true });
    let text = "";
    let usage;
    for await (const event of stream) {
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") usage = event.response.usage;
    }
    assert.equal(text, mockReplyText(3));
    assert.equal(usage?.output_tokens, 21);
  } finally {
    await mock.shutdown();
  }
});

Deno.test("serveMock() Azure Responses API route needs api-version and parses with AzureOpenAI", async () => {
  const mock = serveMock({ chunks: 1 });
  try {
    const client = new AzureOpenAI({
      endpoint: mock.url,
      apiKey: "k",
      apiVersion: "2025-04-01-preview",
      maxRetries: 0,
    });
    const answer = await client.responses.create({ model: "my-deployment", input: "Hi" });
    assert.equal(answer.output_text, mockReplyText(1));
    assert.equal(answer.model, "my-deployment");
    assert.equal(mock.requests.at(-1)?.path, "/openai/responses");
    const res = await fetch(`${mock.url}/openai/responses`, { method: "POST", body: "{}" });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: { code: "404", message: "Resource not found" } });
  } finally {
    await mock.shutdown();
  }
});

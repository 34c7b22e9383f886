import assert from "node:assert/strict";
import OpenAI, { AzureOpenAI } from "openai";
import { createMockUpstream, mockReplyText, mockTokenCounts, serveMock } from "../../src/mock/mod.ts";
import { chatBody, jsonRequest, sseData, WEATHER_TOOL } from "./_util.ts";

const AZURE_CHAT = "/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21";

Deno.test("createMockUpstream() answers a chat completion in OpenAI's format", async () => {
  const mock = createMockUpstream();
  const body = chatBody("Hello there [cached:2] [reasoning:3]");
  const res = await mock.handler(jsonRequest("/v1/chat/completions", body));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  for (
    const h of [
      "x-request-id",
      "openai-processing-ms",
      "x-ratelimit-limit-requests",
      "x-ratelimit-remaining-tokens",
    ]
  ) {
    assert.ok(res.headers.has(h), h);
  }
  const json = await res.json();
  assert.deepEqual(Object.keys(json).slice(0, 6), ["id", "object", "created", "model", "choices", "usage"]);
  assert.equal(json.object, "chat.completion");
  assert.match(json.id, /^chatcmpl-/);
  assert.equal(json.model, "gpt-4o");
  assert.equal(json.choices[0].message.content, mockReplyText(8));
  assert.equal(json.choices[0].finish_reason, "stop");
  assert.equal(json.prompt_filter_results, undefined);
  const c = mockTokenCounts(body, { chunks: 8 });
  assert.deepEqual(
    [json.usage.prompt_tokens, json.usage.completion_tokens, json.usage.total_tokens],
    [c.prompt, c.completion, c.prompt + c.completion],
  );
  assert.equal(json.usage.prompt_tokens_details.cached_tokens, 2);
  assert.equal(json.usage.completion_tokens_details.reasoning_tokens, 3);
});

Deno.test("createMockUpstream() streams chat chunks without usage by default", async () => {
  const mock = createMockUpstream({ chunks: 3 });
  const res = await mock.handler(jsonRequest("/v1/chat/completions", chatBody("Hi", { stream: true })));
  assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
  const data = sseData(await res.text());
  assert.equal(data.at(-1), "[DONE]");
  const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
  assert.equal(chunks.length, 1 + 3 + 1);
  for (const chunk of chunks) {
    assert.deepEqual(Object.keys(chunk), [
      "id",
      "object",
      "created",
      "model",
      "system_fingerprint",
      "choices",
    ]);
    assert.equal(chunk.object, "chat.completion.chunk");
  }
  assert.deepEqual(chunks[0].choices[0].delta, { role: "assistant", content: "", refusal: null });
  assert.equal(chunks.slice(1, 4).map((c) => c.choices[0].delta.content).join(""), mockReplyText(3));
  assert.equal(chunks[4].choices[0].finish_reason, "stop");
  assert.deepEqual(chunks[4].choices[0].delta, {});
});

Deno.test("createMockUpstream() streams usage only with include_usage", async () => {
  const mock = createMockUpstream({ chunks: 2 });
  const body = chatBody("Hi", { stream: true, stream_options: { include_usage: true } });
  const data = sseData(await (await mock.handler(jsonRequest("/v1/chat/completions", body))).text());
  assert.equal(data.at(-1), "[DONE]");
  const chunks = data.slice(0, -1);
  for (const raw of chunks.slice(0, -1)) assert.ok(raw.endsWith(`],"usage":null}`), raw);
  const last = JSON.parse(chunks.at(-1)!);
  assert.deepEqual(last.choices, []);
  assert.deepEqual(Object.keys(last), [
    "id",
    "object",
    "created",
    "model",
    "system_fingerprint",
    "choices",
    "usage",
  ]);
  const c = mockTokenCounts(body, { chunks: 2 });
  assert.equal(last.usage.prompt_tokens, c.prompt);
  assert.equal(last.usage.completion_tokens, c.completion);
});

Deno.test("createMockUpstream() adds Azure's prompt filter chunk and annotations on Azure routes", async () => {
  const mock = createMockUpstream({ chunks: 2 });
  const body = {
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
    stream_options: { include_usage: true },
  };
  const res = await mock.handler(jsonRequest(AZURE_CHAT, body));
  for (const h of ["apim-request-id", "x-ms-region", "x-request-id", "x-ratelimit-remaining-requests"]) {
    assert.ok(res.headers.has(h), h);
  }
  const data = sseData(await res.text());
  const first = JSON.parse(data[0]!);
  assert.deepEqual(first.choices, []);
  assert.equal(first.id, "");
  assert.equal(first.prompt_filter_results[0].content_filter_results.hate.filtered, false);
  assert.ok(data[0]!.endsWith(`"usage":null}`));
  const content = JSON.parse(data[2]!);
  assert.equal(content.model, "my-gpt");
  assert.equal(content.choices[0].content_filter_results.violence.severity, "safe");
  assert.equal(data.at(-1), "[DONE]");
});

Deno.test("createMockUpstream() adds filter results to a non-streamed Azure chat answer", async () => {
  const mock = createMockUpstream();
  const json = await (await mock.handler(jsonRequest(AZURE_CHAT, { messages: [] }))).json();
  assert.equal(json.model, "my-gpt");
  assert.equal(json.prompt_filter_results.length, 1);
  assert.equal(json.choices[0].content_filter_results.sexual.filtered, false);
});

Deno.test("createMockUpstream() answers chat requests with tools with a tool call", async (t) => {
  const mock = createMockUpstream({ chunks: 4 });
  await t.step("not streamed", async () => {
    const res = await mock.handler(
      jsonRequest("/v1/chat/completions", chatBody("weather?", { tools: [WEATHER_TOOL] })),
    );
    const choice = (await res.json()).choices[0];
    assert.equal(choice.finish_reason, "tool_calls");
    assert.equal(choice.message.content, null);
    const call = choice.message.tool_calls[0];
    assert.equal(call.type, "function");
    assert.equal(call.function.name, "get_weather");
    assert.deepEqual(JSON.parse(call.function.arguments), { city: "mock", days: 1 });
  });
  await t.step("streamed in pieces", async () => {
    const body = chatBody("weather?", { tools: [WEATHER_TOOL], stream: true });
    const data = sseData(await (await mock.handler(jsonRequest("/v1/chat/completions", body))).text());
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    const head = chunks[0].choices[0].delta.tool_calls[0];
    assert.equal(head.function.name, "get_weather");
    assert.match(head.id, /^call_/);
    const pieces = chunks.slice(1, -1).map((c) => c.choices[0].delta.tool_calls[0].function.arguments);
    assert.equal(pieces.length, 4);
    assert.deepEqual(JSON.parse(pieces.join("")), { city: "mock", days: 1 });
    assert.equal(chunks.at(-1).choices[0].finish_reason, "tool_calls");
  });
  await t.step("tool_choice none answers with text", async () => {
    const body = chatBody("weather?", { tools: [WEATHER_TOOL], tool_choice: "none" });
    const choice = (await (await mock.handler(jsonRequest("/v1/chat/completions", body))).json()).choices[0];
    assert.equal(choice.finish_reason, "stop");
  });
});

Deno.test("serveMock() chat completions parse with the openai SDK", async () => {
  const mock = serveMock({ apiKey: "sk-test", chunks: 3 });
  try {
    const client = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: "sk-test", maxRetries: 0 });
    const answer = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "Hi" }],
    });
    assert.equal(answer.choices[0]?.message.content, mockReplyText(3));
    const stream = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, mockReplyText(3));
    assert.equal(usage?.completion_tokens, 21);
    assert.equal(mock.requests.at(-1)?.headers.authorization, "Bearer sk-test");
  } finally {
    await mock.shutdown();
  }
});

Deno.test("serveMock() Azure chat stream parses with the AzureOpenAI SDK", async () => {
  const mock = serveMock({ apiKey: "azure-key", chunks: 2 });
  try {
    const client = new AzureOpenAI({
      endpoint: mock.url,
      apiKey: "azure-key",
      apiVersion: "2024-10-21",
      deployment: "my-gpt",
      maxRetries: 0,
    });
    const stream = await client.chat.completions.create({
      model: "",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
    });
    let text = "";
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? "";
    }
    assert.equal(text, mockReplyText(2));
    assert.equal(chunks, 1 + 1 + 2 + 1);
    const seen = mock.requests.at(-1)!;
    assert.equal(seen.path, "/openai/deployments/my-gpt/chat/completions");
    assert.equal(seen.search, "?api-version=2024-10-21");
    assert.equal(seen.headers["api-key"], "azure-key");
  } finally {
    await mock.shutdown();
  }
});

Deno.test("createMockUpstream() calls the tool that tool_choice forces, filling its schema", async () => {
  const mock = createMockUpstream();
  const second = {
    type: "function",
    function: {
      name: "configure",
      parameters: {
        type: "object",
        properties: {
          mode: { type: "string", enum: ["fast", "slow"] },
          on: { type: "boolean" },
          ratio: { type: "number" },
          tags: { type: "array" },
          extra: { type: "object" },
          gone: { type: "null" },
          maybe: { type: ["integer", "null"] },
          free: {},
        },
      },
    },
  };
  const body = chatBody("x", {
    tools: [WEATHER_TOOL, second],
    tool_choice: { type: "function", function: { name: "configure" } },
  });
  const call =
    (await (await mock.handler(jsonRequest("/v1/chat/completions", body))).json()).choices[0].message
      .tool_calls[0];
  assert.equal(call.function.name, "configure");
  assert.deepEqual(JSON.parse(call.function.arguments), {
    mode: "fast",
    on: true,
    ratio: 1,
    tags: [],
    extra: {},
    gone: null,
    maybe: 1,
    free: "mock",
  });
});

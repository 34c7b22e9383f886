import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { createAssembler } from "../../src/streams/assemble.ts";
import { sseTap } from "../../src/streams/sse.ts";
import type { Assembled, Operation } from "../../src/core/operation.ts";
import { bytes, chunkings, fixture, run } from "./_util.ts";

async function assemble(
  op: Operation,
  input: Uint8Array | string,
  chunks?: Uint8Array[],
): Promise<Assembled> {
  const asm = createAssembler(op);
  const b = typeof input === "string" ? bytes(input) : input;
  await run(new TransformStream(sseTap((ev) => asm.push(ev))), chunks ?? [b]);
  return asm.result();
}

const WEATHER_ARGS = '{"location": "München", "unit": "celsius"}';

Deno.test("createAssembler() rebuilds an OpenAI chat stream with its usage chunk", async () => {
  assertEquals(await assemble("chat", fixture("openai_chat_usage.sse")), {
    content: "Grüße aus Köln 👋! こんにちは.",
    toolCalls: [],
    events: 10,
    id: "chatcmpl-BzT5kQ8mV0nWcXg2rJd7LhY3fA1pE",
    model: "gpt-4o-mini-2024-07-18",
    finishReason: "stop",
    usage: {
      promptTokens: 2071,
      completionTokens: 11,
      cachedTokens: 1920,
      reasoningTokens: 0,
      totalTokens: 2082,
      cacheWriteTokens: 0,
    },
  });
});

Deno.test("createAssembler() leaves usage unset when the chat stream has none", async () => {
  const r = await assemble("chat", fixture("openai_chat.sse"));
  assertEquals([r.usage, r.content, r.events], [undefined, "Grüße aus Köln 👋! こんにちは.", 9]);
});

Deno.test("createAssembler() takes id and model past Azure's prompt filter chunk", async () => {
  const r = await assemble("chat", fixture("azure_chat_usage.sse"));
  assertEquals([r.id, r.model, r.content, r.finishReason], [
    "chatcmpl-BzU1wE5rT8yU2iO4pA6sD9fG3hJ7k",
    "gpt-4o-2024-11-20",
    "Das Wetter in Zürich ist sonnig.",
    "stop",
  ]);
  assertEquals([r.usage?.promptTokens, r.usage?.cachedTokens, r.usage?.totalTokens], [1310, 1152, 1319]);
});

Deno.test("createAssembler() joins chat tool call deltas by index", async () => {
  const r = await assemble("chat", fixture("openai_tools_usage.sse"));
  assertEquals(r.toolCalls, [
    {
      id: "call_Xk2mP9qL0aBcDeFgHiJkLmNo",
      type: "function",
      name: "get_weather",
      arguments: '{"city": "Paris"}',
    },
    {
      id: "call_Yq7rS3tU1vWxYzAbCdEfGhIj",
      type: "function",
      name: "get_time",
      arguments: '{"tz": "Europe/Paris"}',
    },
  ]);
  assertEquals([r.content, r.finishReason, r.usage?.totalTokens], ["", "tool_calls", 134]);
});

Deno.test("createAssembler() gives the same result for every chunking", async () => {
  for (const [op, name] of [["chat", "openai_tools_usage.sse"], ["messages", "anthropic.sse"]] as const) {
    const input = fixture(name);
    const want = await assemble(op, input);
    for (const chunks of chunkings(input, 5)) assertEquals(await assemble(op, input, chunks), want);
  }
});

Deno.test("createAssembler() rebuilds a Responses API stream", async () => {
  assertEquals(await assemble("responses", fixture("responses.sse")), {
    content: "Ich sehe nach, Moment…",
    toolCalls: [{
      id: "call_Zr8sT2uV4wX6yZ0aB2cD4eF6",
      type: "function_call",
      name: "get_weather",
      arguments: '{"city":"Zürich"}',
    }],
    events: 20,
    id: "resp_6890a1f2c3d4e5f60718293a4b5c6d7e0f1a2b3c4d5e6f70",
    model: "gpt-4.1-2025-04-14",
    finishReason: "completed",
    usage: {
      promptTokens: 1843,
      completionTokens: 37,
      cachedTokens: 1536,
      reasoningTokens: 0,
      totalTokens: 1880,
      cacheWriteTokens: 0,
    },
  });
});

Deno.test("createAssembler() reads incomplete, failed and error Responses events", async (t) => {
  const usage = '"usage":{"input_tokens":5,"output_tokens":7,"total_tokens":12}';
  await t.step("response.incomplete", async () => {
    const r = await assemble(
      "responses",
      `event: response.incomplete\ndata: {"type":"response.incomplete","response":{"id":"resp_1","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},${usage}}}\n\n`,
    );
    assertEquals([r.finishReason, r.usage?.totalTokens], ["max_output_tokens", 12]);
  });
  await t.step("response.failed", async () => {
    const r = await assemble(
      "responses",
      `data: {"type":"response.failed","response":{"id":"resp_1","status":"failed","error":{"code":"server_error","message":"The model failed"},${usage}}}\n\n`,
    );
    assertEquals([r.finishReason, r.error, r.usage?.completionTokens], [
      "failed",
      { type: "server_error", message: "The model failed" },
      7,
    ]);
  });
  await t.step("error", async () => {
    const r = await assemble(
      "responses",
      'event: error\ndata: {"type":"error","code":"rate_limit_exceeded","message":"Slow down","param":null}\n\n',
    );
    assertEquals(r.error, { type: "rate_limit_exceeded", message: "Slow down" });
  });
});

Deno.test("createAssembler() rebuilds an Anthropic stream with cache tokens", async () => {
  assertEquals(await assemble("messages", fixture("anthropic.sse")), {
    content: "Gern, ich prüfe das Wetter in München ☀️.",
    toolCalls: [{
      id: "toolu_01D7FLrfh4GYq7yT1ULFeyMV",
      type: "tool_use",
      name: "get_weather",
      arguments: WEATHER_ARGS,
    }],
    events: 15,
    id: "msg_01XkQ4bR7nT2vW9yZ3aC5dF8",
    model: "claude-sonnet-4-20250514",
    finishReason: "tool_use",
    usage: {
      promptTokens: 14 + 2048 + 256,
      completionTokens: 71,
      cachedTokens: 2048,
      reasoningTokens: 0,
      totalTokens: 14 + 2048 + 256 + 71,
      cacheWriteTokens: 256,
    },
  });
});

Deno.test("createAssembler() keeps Anthropic's start usage when message_delta has only output", async () => {
  const r = await assemble(
    "messages",
    'data: {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":3,"cache_read_input_tokens":4,"output_tokens":1}}}\n\n' +
      'data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9,"input_tokens":null}}\n\n',
  );
  assertEquals([r.usage?.promptTokens, r.usage?.cachedTokens, r.usage?.completionTokens], [7, 4, 9]);
});

Deno.test("createAssembler() reports an Anthropic error event", async () => {
  const r = await assemble("messages", fixture("anthropic_error.sse"));
  assertEquals(r.error, { type: "overloaded_error", message: "Overloaded" });
  assertEquals([r.content, r.usage?.promptTokens], ["Gern", 2318]);
});

Deno.test("createAssembler() reports an error chunk in a chat stream", async () => {
  const r = await assemble(
    "chat",
    'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n' +
      'data: {"error":{"message":"Internal error","type":"server_error","param":null,"code":null}}\n\n',
  );
  assertEquals([r.content, r.error], ["Hi", { type: "server_error", message: "Internal error" }]);
});

Deno.test("createAssembler() rebuilds a completions stream and ignores other choices", async () => {
  const r = await assemble(
    "completions",
    'data: {"id":"cmpl-1","object":"text_completion","choices":[{"text":"Hel","index":0,"logprobs":null,"finish_reason":null},{"text":"X","index":1}],"model":"gpt-3.5-turbo-instruct"}\n\n' +
      'data: {"id":"cmpl-1","choices":[{"text":"lo","index":0,"logprobs":null,"finish_reason":"length"}],"model":"gpt-3.5-turbo-instruct"}\n\n' +
      'data: {"id":"cmpl-1","choices":[],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}\n\n' +
      "data: [DONE]\n\n",
  );
  assertEquals([r.content, r.finishReason, r.usage?.totalTokens, r.events], ["Hello", "length", 6, 4]);
});

Deno.test("createAssembler() survives malformed events and returns snapshots", () => {
  const asm = createAssembler("chat");
  for (
    const data of ["{not json", "[1]", "null", '{"choices":"x"}', '{"choices":[null,{"index":0,"delta":7}]}']
  ) {
    asm.push({ event: undefined, data, id: undefined });
  }
  const snap = asm.result();
  asm.push({ event: undefined, data: '{"choices":[{"index":0,"delta":{"content":"a"}}]}', id: undefined });
  assertEquals([snap.content, snap.events, asm.result().content], ["", 5, "a"]);
});

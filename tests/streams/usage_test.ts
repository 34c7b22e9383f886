import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { assembleBody, usageFromBody } from "../../src/streams/usage.ts";
import type { Usage } from "../../src/core/operation.ts";

function u(p: number, c: number, cached: number, reasoning: number, total: number, write = 0): Usage {
  return {
    promptTokens: p,
    completionTokens: c,
    cachedTokens: cached,
    reasoningTokens: reasoning,
    totalTokens: total,
    cacheWriteTokens: write,
  };
}

const CHAT = {
  id: "chatcmpl-BzV2",
  object: "chat.completion",
  created: 1754052000,
  model: "o4-mini-2025-04-16",
  choices: [{
    index: 0,
    message: {
      role: "assistant",
      content: null,
      refusal: null,
      tool_calls: [{
        id: "call_1",
        type: "function",
        function: { name: "get_weather", arguments: '{"city":"Bern"}' },
      }],
      annotations: [],
    },
    finish_reason: "tool_calls",
    content_filter_results: {},
  }],
  usage: {
    completion_tokens: 210,
    completion_tokens_details: { accepted_prediction_tokens: 0, audio_tokens: 0, reasoning_tokens: 192 },
    prompt_tokens: 1200,
    prompt_tokens_details: { audio_tokens: 0, cached_tokens: 1024 },
    total_tokens: 1410,
  },
  prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }],
};

const RESPONSES = {
  id: "resp_67cb",
  object: "response",
  status: "incomplete",
  incomplete_details: { reason: "max_output_tokens" },
  error: null,
  model: "gpt-4.1-2025-04-14",
  output: [
    { type: "reasoning", id: "rs_1", summary: [] },
    {
      type: "message",
      id: "msg_1",
      status: "incomplete",
      role: "assistant",
      content: [
        { type: "output_text", text: "Hello, ", annotations: [] },
        { type: "refusal", refusal: "x" },
        {
          type: "output_text",
          text: "world",
          annotations: [],
        },
      ],
    },
    {
      type: "function_call",
      id: "fc_1",
      call_id: "call_9",
      name: "lookup",
      arguments: '{"q":"x"}',
      status: "completed",
    },
  ],
  usage: {
    input_tokens: 328,
    input_tokens_details: { cached_tokens: 256 },
    output_tokens: 52,
    output_tokens_details: { reasoning_tokens: 16 },
    total_tokens: 380,
  },
};

const MESSAGE = {
  id: "msg_01Aq",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-20250514",
  content: [
    { type: "thinking", thinking: "…", signature: "sig" },
    { type: "text", text: "Checking the weather." },
    { type: "tool_use", id: "toolu_01", name: "get_weather", input: { location: "Wien" } },
  ],
  stop_reason: "tool_use",
  stop_sequence: null,
  usage: {
    input_tokens: 21,
    cache_creation_input_tokens: 1500,
    cache_read_input_tokens: 3000,
    output_tokens: 90,
  },
};

Deno.test("usageFromBody() reads chat usage with cached and reasoning tokens", () => {
  assertEquals(usageFromBody("chat", CHAT), u(1200, 210, 1024, 192, 1410));
});

Deno.test("usageFromBody() reads completions and embeddings usage", () => {
  const completions = { usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } };
  assertEquals(usageFromBody("completions", completions), u(5, 7, 0, 0, 12));
  const embeddings = {
    object: "list",
    data: [],
    model: "text-embedding-3-small",
    usage: { prompt_tokens: 8, total_tokens: 8 },
  };
  assertEquals(usageFromBody("embeddings", embeddings), u(8, 0, 0, 0, 8));
});

Deno.test("usageFromBody() reads Responses API usage", () => {
  assertEquals(usageFromBody("responses", RESPONSES), u(328, 52, 256, 16, 380));
});

Deno.test("usageFromBody() counts Anthropic cache reads and writes into promptTokens", () => {
  const usage = usageFromBody("messages", MESSAGE)!;
  assertEquals(usage, u(21 + 3000 + 1500, 90, 3000, 0, 21 + 3000 + 1500 + 90, 1500));
  assertEquals(usage.cachedTokens + usage.cacheWriteTokens <= usage.promptTokens, true);
  assertEquals(usageFromBody("messages", { usage: { input_tokens: 4, output_tokens: 2 } }), u(4, 2, 0, 0, 6));
});

Deno.test("usageFromBody() returns undefined without usage and zeros for malformed fields", () => {
  for (const body of [null, "x", [], {}, { usage: null }, { usage: [] }]) {
    assertEquals(usageFromBody("chat", body), undefined);
  }
  assertEquals(usageFromBody("chat", { usage: {} }), undefined);
  const bad = { usage: { prompt_tokens: "9", completion_tokens: 3, prompt_tokens_details: null } };
  assertEquals(usageFromBody("chat", bad), u(0, 3, 0, 0, 3));
  assertEquals(
    usageFromBody("responses", { usage: { input_tokens: 2, output_tokens: NaN } }),
    u(2, 0, 0, 0, 2),
  );
});

Deno.test("assembleBody() reads a chat completion with tool calls", () => {
  assertEquals(assembleBody("chat", CHAT), {
    content: "",
    toolCalls: [{ id: "call_1", type: "function", name: "get_weather", arguments: '{"city":"Bern"}' }],
    events: 0,
    id: "chatcmpl-BzV2",
    model: "o4-mini-2025-04-16",
    usage: u(1200, 210, 1024, 192, 1410),
    finishReason: "tool_calls",
  });
  const legacy = { choices: [{ message: { content: "Hi", function_call: { name: "f", arguments: "{}" } } }] };
  assertEquals(assembleBody("chat", legacy).toolCalls, [{
    id: "",
    type: "function",
    name: "f",
    arguments: "{}",
  }]);
});

Deno.test("assembleBody() reads completions and embeddings", () => {
  const completion = {
    id: "cmpl-1",
    model: "gpt-3.5-turbo-instruct",
    choices: [{ text: "Hi", index: 0, finish_reason: "stop" }],
  };
  const r = assembleBody("completions", completion);
  assertEquals([r.content, r.finishReason, r.id], ["Hi", "stop", "cmpl-1"]);
  const e = assembleBody("embeddings", { model: "text-embedding-3-small", data: [{ embedding: [0.1] }] });
  assertEquals(e, { content: "", toolCalls: [], events: 0, model: "text-embedding-3-small" });
});

Deno.test("assembleBody() reads a Responses API body", () => {
  const r = assembleBody("responses", RESPONSES);
  assertEquals([r.content, r.finishReason, r.error], ["Hello, world", "max_output_tokens", undefined]);
  assertEquals(r.toolCalls, [{
    id: "call_9",
    type: "function_call",
    name: "lookup",
    arguments: '{"q":"x"}',
  }]);
  const failed = { status: "failed", error: { code: "server_error", message: "Boom" } };
  assertEquals(assembleBody("responses", failed).error, { type: "server_error", message: "Boom" });
});

Deno.test("assembleBody() reads an Anthropic message", () => {
  const r = assembleBody("messages", MESSAGE);
  assertEquals([r.id, r.model, r.content, r.finishReason], [
    "msg_01Aq",
    "claude-sonnet-4-20250514",
    "Checking the weather.",
    "tool_use",
  ]);
  assertEquals(r.toolCalls, [{
    id: "toolu_01",
    type: "tool_use",
    name: "get_weather",
    arguments: '{"location":"Wien"}',
  }]);
});

Deno.test("assembleBody() reads error bodies", () => {
  const openai = {
    error: { message: "Invalid key", type: "invalid_request_error", param: null, code: "invalid_api_key" },
  };
  assertEquals(assembleBody("chat", openai).error, { type: "invalid_request_error", message: "Invalid key" });
  const anthropic = { type: "error", error: { type: "overloaded_error", message: "Overloaded" } };
  assertEquals(assembleBody("messages", anthropic).error, {
    type: "overloaded_error",
    message: "Overloaded",
  });
  assertEquals(assembleBody("chat", "oops"), { content: "", toolCalls: [], events: 0 });
});

import assert from "node:assert/strict";
import { chatToMessages } from "../../../src/providers/anthropic/request.ts";
import type { GatewayError } from "../../../src/core/errors.ts";
import { fixtureJson } from "../_fixtures.ts";

const OPTS = { model: "claude-sonnet-4-5", defaultMaxTokens: 4096 };

Deno.test("chatToMessages() translates a recorded chat request with tools, images and tool results", () => {
  const chat = fixtureJson("openai/chat_request_tools_images.json");
  const before = JSON.stringify(chat);
  const out = chatToMessages(chat, OPTS);
  assert.equal(JSON.stringify(chat), before, "the chat body is not changed");
  assert.deepEqual(out, {
    model: "claude-sonnet-4-5",
    max_tokens: 512,
    system: [
      { type: "text", text: "You are a weather assistant." },
      { type: "text", text: "Answer in German.", cache_control: { type: "ephemeral" } },
    ],
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "What is the weather where this photo was taken?" },
          {
            type: "image",
            source: {
              type: "base64",
              media_type: "image/png",
              data:
                "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
            },
          },
          {
            type: "image",
            source: { type: "url", url: "https://upload.wikimedia.org/wikipedia/commons/a/a9/Example.jpg" },
          },
        ],
      },
      {
        role: "assistant",
        content: [
          {
            type: "tool_use",
            id: "call_Xk2mP9qL0aBcDeFgHiJkLmNo",
            name: "get_weather",
            input: { location: "München" },
          },
          {
            type: "tool_use",
            id: "call_Yq7rS3tU1vWxYzAbCdEfGhIj",
            name: "get_time",
            input: { tz: "Europe/Berlin" },
          },
        ],
      },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "call_Xk2mP9qL0aBcDeFgHiJkLmNo",
            content: '{"temp":21,"unit":"celsius"}',
          },
          {
            type: "tool_result",
            tool_use_id: "call_Yq7rS3tU1vWxYzAbCdEfGhIj",
            content: [{ type: "text", text: "14:05" }],
          },
          { type: "text", text: "And tomorrow?" },
        ],
      },
    ],
    stop_sequences: ["END"],
    temperature: 1,
    top_p: 0.9,
    stream: true,
    metadata: { user_id: "user-42" },
    tools: [
      {
        name: "get_weather",
        description: "Current weather for a location",
        input_schema: {
          type: "object",
          properties: { location: { type: "string" } },
          required: ["location"],
        },
      },
      { name: "get_time", input_schema: { type: "object", properties: { tz: { type: "string" } } } },
    ],
    tool_choice: { type: "any", disable_parallel_tool_use: true },
  });
});

Deno.test("chatToMessages() fills max_tokens and maps every tool_choice", async (t) => {
  const base = { messages: [{ role: "user", content: "Hi" }] };
  await t.step("default and max_tokens", () => {
    assert.equal(chatToMessages(base, OPTS).max_tokens, 4096);
    assert.equal(chatToMessages({ ...base, max_tokens: 77 }, OPTS).max_tokens, 77);
    assert.deepEqual(chatToMessages(base, OPTS).messages, [{ role: "user", content: "Hi" }]);
  });
  await t.step("tool_choice", () => {
    const tools = [{ type: "function", function: { name: "f" } }];
    const choice = (c: unknown) => chatToMessages({ ...base, tools, tool_choice: c }, OPTS).tool_choice;
    assert.deepEqual(choice("auto"), { type: "auto" });
    assert.deepEqual(choice("none"), { type: "none" });
    assert.deepEqual(choice("required"), { type: "any" });
    assert.deepEqual(choice({ type: "function", function: { name: "f" } }), { type: "tool", name: "f" });
    assert.equal(choice(undefined), undefined);
    assert.deepEqual(
      chatToMessages({ ...base, tools, parallel_tool_calls: false }, OPTS).tool_choice,
      { type: "auto", disable_parallel_tool_use: true },
    );
  });
});

Deno.test("chatToMessages() keeps cache_control markers on parts, messages and tools", () => {
  const eph = { type: "ephemeral" };
  const out = chatToMessages({
    messages: [
      { role: "system", content: "Long shared context", cache_control: eph },
      { role: "user", content: [{ type: "text", text: "Q", cache_control: eph }] },
    ],
    tools: [{
      type: "function",
      function: { name: "f", parameters: { type: "object" } },
      cache_control: eph,
    }],
  }, OPTS);
  assert.deepEqual(out.system, [{ type: "text", text: "Long shared context", cache_control: eph }]);
  assert.deepEqual(out.messages, [{
    role: "user",
    content: [{ type: "text", text: "Q", cache_control: eph }],
  }]);
  assert.deepEqual((out.tools as unknown[])[0], {
    name: "f",
    input_schema: { type: "object" },
    cache_control: eph,
  });
});

Deno.test("chatToMessages() merges consecutive turns and refuses what Anthropic cannot take", () => {
  const out = chatToMessages({
    messages: [{ role: "user", content: "a" }, { role: "user", content: "b" }, {
      role: "assistant",
      content: "",
    }],
  }, OPTS);
  assert.deepEqual(out.messages, [{
    role: "user",
    content: [{ type: "text", text: "a" }, { type: "text", text: "b" }],
  }]);
  const refused = (body: Record<string, unknown>, param: string) =>
    assert.throws(
      () => chatToMessages(body, OPTS),
      (e: GatewayError) => e.status === 400 && e.param === param,
    );
  refused({ messages: "x" }, "messages");
  refused({ messages: [], n: 2 }, "n");
  refused({ messages: [{ role: "function", content: "x" }] }, "messages");
  refused({ messages: [{ role: "user", content: [{ type: "input_audio" }] }] }, "messages");
  refused({
    messages: [{ role: "assistant", tool_calls: [{ function: { name: "f", arguments: "{oops" } }] }],
  }, "messages");
  refused({ messages: [], tools: [{ type: "code_interpreter" }] }, "tools");
  refused({ messages: [], tool_choice: 42 }, "tool_choice");
});

Deno.test("chatToMessages() sends PDF files as document blocks", () => {
  const out = chatToMessages({
    messages: [{
      role: "user",
      content: [{
        type: "file",
        file: { filename: "a.pdf", file_data: "data:application/pdf;base64,JVBERi0=" },
      }],
    }],
  }, OPTS);
  assert.deepEqual(out.messages, [{
    role: "user",
    content: [{
      type: "document",
      source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" },
    }],
  }]);
});

import assert from "node:assert/strict";
import { messageToChat } from "../../../src/providers/anthropic/response.ts";
import { chatToMessage } from "../../../src/providers/anthropic/to_message.ts";
import { fixtureJson } from "../_fixtures.ts";

Deno.test("messageToChat() translates a recorded tool_use message, cache tokens included", () => {
  const chat = messageToChat(fixtureJson("anthropic/message_tool_use.json"), 1754049351);
  assert.deepEqual(chat, {
    id: "msg_01Aq9w938a90dw8q",
    object: "chat.completion",
    created: 1754049351,
    model: "claude-sonnet-4-20250514",
    choices: [{
      index: 0,
      message: {
        role: "assistant",
        content: "I'll check the weather in Munich.",
        refusal: null,
        tool_calls: [{
          id: "toolu_01A09q90qw90lq917835lq9",
          type: "function",
          function: { name: "get_weather", arguments: '{"location":"München","unit":"celsius"}' },
        }],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    }],
    usage: {
      prompt_tokens: 472 + 120 + 2048,
      completion_tokens: 89,
      total_tokens: 472 + 120 + 2048 + 89,
      prompt_tokens_details: { cached_tokens: 2048 },
    },
  });
});

Deno.test("messageToChat() maps every stop reason", () => {
  const reason = (stop_reason: string) =>
    (messageToChat({ content: [], stop_reason }, 0).choices as { finish_reason: string }[])[0]!.finish_reason;
  assert.equal(reason("end_turn"), "stop");
  assert.equal(reason("stop_sequence"), "stop");
  assert.equal(reason("max_tokens"), "length");
  assert.equal(reason("tool_use"), "tool_calls");
  assert.equal(reason("refusal"), "content_filter");
  assert.equal(reason("something_new"), "stop");
});

Deno.test("chatToMessage() translates a recorded chat completion with two tool calls", () => {
  const msg = chatToMessage(fixtureJson("openai/chat_completion_tools.json"));
  assert.deepEqual(msg, {
    id: "chatcmpl-BzT7aC3vHn2KqLwP9sEe4Rt6uYi0O",
    type: "message",
    role: "assistant",
    model: "gpt-4o-2024-08-06",
    content: [
      {
        type: "tool_use",
        id: "call_Xk2mP9qL0aBcDeFgHiJkLmNo",
        name: "get_weather",
        input: { city: "Paris" },
      },
      {
        type: "tool_use",
        id: "call_Yq7rS3tU1vWxYzAbCdEfGhIj",
        name: "get_time",
        input: { tz: "Europe/Paris" },
      },
    ],
    stop_reason: "tool_use",
    stop_sequence: null,
    usage: {
      input_tokens: 85,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 2048,
      output_tokens: 49,
    },
  });
});

Deno.test("chatToMessage() maps text, length and arguments that are not JSON", () => {
  const msg = chatToMessage({
    id: "c",
    choices: [{
      message: { content: "Hi", tool_calls: [{ id: "t", function: { name: "f", arguments: "not json" } }] },
      finish_reason: "length",
    }],
  });
  assert.deepEqual(msg.content, [
    { type: "text", text: "Hi" },
    { type: "tool_use", id: "t", name: "f", input: { _raw: "not json" } },
  ]);
  assert.equal(msg.stop_reason, "max_tokens");
});

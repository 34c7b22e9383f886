import assert from "node:assert/strict";
import { messagesFromChat } from "../../../src/providers/anthropic/translators.ts";
import {
  chatEventToMessages,
  newMessageStreamState,
} from "../../../src/providers/anthropic/to_message_stream.ts";
import { createAssembler } from "../../../src/streams/assemble.ts";
import { fixtureEvents, parseSse } from "../_fixtures.ts";

function translate(name: string) {
  const state = newMessageStreamState("gpt-4o");
  return fixtureEvents(name).flatMap((ev) =>
    chatEventToMessages(ev.data === "[DONE]" ? "[DONE]" : JSON.parse(ev.data), state)
  );
}

Deno.test("chatEventToMessages() turns a recorded two-tool-call stream into Anthropic events", () => {
  const out = translate("openai/stream_tools_usage.sse");
  assert.deepEqual(out.map((e) => e.event), [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_delta",
    "content_block_delta",
    "content_block_stop",
    "content_block_start",
    "content_block_delta",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
  ]);
  assert.equal((out[0]!.data.message as { model: string }).model, "gpt-4o-2024-08-06");
  assert.deepEqual(out[1]!.data, {
    type: "content_block_start",
    index: 0,
    content_block: { type: "tool_use", id: "call_Xk2mP9qL0aBcDeFgHiJkLmNo", name: "get_weather", input: {} },
  });
  assert.equal((out[6]!.data as { index: number }).index, 1);
  assert.deepEqual(out[10]!.data, {
    type: "message_delta",
    delta: { stop_reason: "tool_use", stop_sequence: null },
    usage: {
      input_tokens: 85,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 49,
    },
  });
});

Deno.test("chatEventToMessages() skips Azure's prompt filter chunk and streams text blocks", () => {
  const out = translate("openai/azure_stream_usage.sse");
  assert.equal(out[0]!.event, "message_start");
  const text = out.filter((e) => e.event === "content_block_delta")
    .map((e) => (e.data.delta as { text: string }).text).join("");
  assert.ok(text.length > 0);
  assert.equal(out.filter((e) => e.event === "content_block_start").length, 1);
  const delta = out.find((e) => e.event === "message_delta")!.data;
  assert.equal((delta.delta as { stop_reason: string }).stop_reason, "end_turn");
  assert.equal(out.at(-1)!.event, "message_stop");
});

Deno.test("chatEventToMessages() turns an error payload into an error event", () => {
  const state = newMessageStreamState("m");
  const out = chatEventToMessages({
    error: { message: "boom", type: "server_error", code: "upstream_unreachable" },
  }, state);
  assert.deepEqual(out, [{
    event: "error",
    data: { type: "error", error: { type: "api_error", message: "boom" } },
  }]);
  assert.deepEqual(chatEventToMessages("[DONE]", state), []);
});

Deno.test("messagesFromChat() closes a stream that ends without [DONE], and assembles like Anthropic's", () => {
  const st = messagesFromChat({ model: "gpt-4o" }).stream();
  const events = fixtureEvents("openai/stream_tools_usage.sse").filter((e) => e.data !== "[DONE]");
  const text = events.map((e) => st.push(e)).join("") + st.end();
  const asm = createAssembler("messages");
  for (const e of parseSse(text)) asm.push({ event: e.event, data: JSON.stringify(e.data), id: undefined });
  const r = asm.result();
  assert.deepEqual(r.toolCalls.map((t) => [t.name, JSON.parse(t.arguments)]), [
    ["get_weather", { city: "Paris" }],
    ["get_time", { tz: "Europe/Paris" }],
  ]);
  assert.equal(r.finishReason, "tool_use");
  assert.equal(r.usage?.promptTokens, 85);
  assert.equal(messagesFromChat({ model: "m" }).stream().end(), "", "nothing started, nothing to close");
});

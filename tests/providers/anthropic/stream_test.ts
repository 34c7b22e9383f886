import assert from "node:assert/strict";
import { messagesEventToChat, newChatStreamState } from "../../../src/providers/anthropic/stream.ts";
import { chatFromMessages } from "../../../src/providers/anthropic/translators.ts";
import { createAssembler } from "../../../src/streams/assemble.ts";
import { fixtureEvents, parseSse } from "../_fixtures.ts";

/** Runs the recorded events through the pure function, one at a time. */
function translate(name: string, includeUsage: boolean) {
  const state = newChatStreamState({ created: 1754049351, includeUsage });
  return fixtureEvents(name).flatMap((ev) => messagesEventToChat(JSON.parse(ev.data), state));
}

Deno.test("messagesEventToChat() turns a recorded text + tool_use stream into chat chunks", () => {
  const out = translate("anthropic/stream_tool_use.sse", true);
  assert.equal(out.at(-1), "[DONE]");
  const chunks = out.slice(0, -1) as Record<string, unknown>[];
  for (const c of chunks) {
    assert.equal(c.id, "msg_01XkQ4bR7nT2vW9yZ3aC5dF8");
    assert.equal(c.object, "chat.completion.chunk");
    assert.equal(c.model, "claude-sonnet-4-20250514");
    assert.equal(c.created, 1754049351);
  }
  const deltas = chunks.map((c) => (c.choices as { delta: unknown }[])[0]?.delta);
  assert.deepEqual(deltas.slice(0, 4), [
    { role: "assistant", content: "" },
    { content: "Gern" },
    { content: ", ich" },
    { content: " prüfe das Wetter in München ☀️." },
  ]);
  assert.deepEqual(deltas[4], {
    tool_calls: [{
      index: 0,
      id: "toolu_01D7FLrfh4GYq7yT1ULFeyMV",
      type: "function",
      function: { name: "get_weather", arguments: "" },
    }],
  });
  const args = deltas.slice(5).flatMap((d) =>
    (d as { tool_calls?: { function: { arguments: string } }[] } | undefined)?.tool_calls ?? []
  ).map((t) => t.function.arguments).join("");
  assert.deepEqual(JSON.parse(args), { location: "München", unit: "celsius" });
  const finish = chunks.at(-2)!;
  assert.equal((finish.choices as { finish_reason: string }[])[0]!.finish_reason, "tool_calls");
  const usage = chunks.at(-1)!;
  assert.deepEqual(usage.choices, []);
  assert.deepEqual(usage.usage, {
    prompt_tokens: 14 + 256 + 2048,
    completion_tokens: 71,
    total_tokens: 14 + 256 + 2048 + 71,
    prompt_tokens_details: { cached_tokens: 2048 },
  });
});

Deno.test("messagesEventToChat() leaves out the usage chunk the client did not ask for", () => {
  const out = translate("anthropic/stream_tool_use.sse", false);
  assert.equal(out.at(-1), "[DONE]");
  assert.ok(out.every((c) => c === "[DONE]" || !("usage" in c)));
});

Deno.test("messagesEventToChat() turns an error event into an OpenAI error payload and stops", () => {
  const out = translate("anthropic/stream_error.sse", true);
  assert.deepEqual(out.at(-1), {
    error: { message: "Overloaded", type: "server_error", param: null, code: "overloaded_error" },
  });
  assert.ok(!out.includes("[DONE]"));
});

Deno.test("chatFromMessages() stream output is valid SSE that assembles to the same content", () => {
  const st = chatFromMessages({ created: 1, includeUsage: true }).stream();
  const text = fixtureEvents("anthropic/stream_tool_use.sse").map((ev) => st.push(ev)).join("") + st.end();
  const asm = createAssembler("chat");
  const events = parseSse(text);
  for (const e of events) {
    asm.push({
      event: e.event,
      data: JSON.stringify(e.data).replace(/^"\[DONE\]"$/, "[DONE]"),
      id: undefined,
    });
  }
  const r = asm.result();
  assert.equal(r.content, "Gern, ich prüfe das Wetter in München ☀️.");
  assert.equal(r.toolCalls[0]!.name, "get_weather");
  assert.equal(r.finishReason, "tool_calls");
  assert.equal(r.usage?.promptTokens, 2318);
  assert.equal(r.usage?.cachedTokens, 2048);
  assert.equal(events.at(-1)!.data, "[DONE]");
});

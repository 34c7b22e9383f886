/**
 * Contract test: the real `openai` SDK against a model served by an Anthropic upstream (the mock), with
 * chat completions translated both ways, streaming, tools and errors included.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { CALLER_KEY } from "../_helpers/app.ts";
import { startMixedGateway } from "./_anthropic_gateway.ts";

const MESSAGES = [
  { role: "system" as const, content: "Be brief." },
  { role: "user" as const, content: "Say hello" },
];
const TOOLS = [{
  type: "function" as const,
  function: {
    name: "get_weather",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
}];

Deno.test("OpenAI SDK talks to an Anthropic upstream through the gateway", async (t) => {
  const gw = await startMixedGateway();
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: CALLER_KEY, maxRetries: 0 });
  try {
    await t.step("chat, not streaming", async () => {
      const r = await client.chat.completions.create({ model: "claude-sonnet", messages: MESSAGES });
      assert.equal(r.object, "chat.completion");
      assert.ok(r.choices[0]!.message.content?.startsWith("This is mock reply"));
      assert.equal(r.choices[0]!.finish_reason, "stop");
      assert.ok(r.usage!.prompt_tokens > 0);
      const sent = JSON.parse(gw.mock.requests.at(-1)!.body);
      assert.equal(sent.system, "Be brief.");
      assert.equal(sent.model, "claude-sonnet-4-5");
    });
    await t.step("chat, streaming with include_usage", async () => {
      const stream = await client.chat.completions.create({
        model: "claude-sonnet",
        messages: MESSAGES,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = "";
      const chunks = [];
      for await (const c of stream) {
        chunks.push(c);
        text += c.choices[0]?.delta.content ?? "";
      }
      assert.ok(text.startsWith("This is mock reply chunk 1."));
      assert.equal(chunks.at(-2)!.choices[0]!.finish_reason, "stop");
      assert.ok(chunks.at(-1)!.usage!.total_tokens > 0);
    });
    await t.step("chat, streaming tool calls", async () => {
      const stream = client.chat.completions.stream({
        model: "claude-sonnet",
        messages: MESSAGES,
        tools: TOOLS,
      });
      const final = await stream.finalChatCompletion();
      const call = final.choices[0]!.message.tool_calls![0]!;
      assert.equal(call.type === "function" && call.function.name, "get_weather");
      assert.deepEqual(call.type === "function" && JSON.parse(call.function.arguments), { city: "mock" });
      assert.equal(final.choices[0]!.finish_reason, "tool_calls");
    });
    await t.step("tool results go back as tool_result blocks", async () => {
      const r = await client.chat.completions.create({
        model: "claude-sonnet",
        messages: [
          ...MESSAGES,
          {
            role: "assistant",
            content: null,
            tool_calls: [{
              id: "toolu_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            }],
          },
          { role: "tool", tool_call_id: "toolu_1", content: "21 °C" },
        ],
      });
      assert.equal(r.choices[0]!.finish_reason, "stop");
      const sent = JSON.parse(gw.mock.requests.at(-1)!.body);
      assert.deepEqual(sent.messages.at(-1), {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "21 °C" }],
      });
    });
    await t.step("upstream errors arrive as OpenAI SDK errors with their status", async () => {
      await assert.rejects(
        client.chat.completions.create({ model: "claude-sonnet", messages: MESSAGES }, {
          headers: { "x-mock-status": "529" },
        }),
        (e: unknown) => e instanceof OpenAI.APIError && e.status === 503 && e.code === "overloaded_error",
      );
      await assert.rejects(
        client.embeddings.create({ model: "claude-sonnet", input: "x" }),
        (e: unknown) => e instanceof OpenAI.BadRequestError && e.code === "unsupported_operation",
      );
    });
  } finally {
    await gw.close();
  }
});

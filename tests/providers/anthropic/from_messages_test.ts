import assert from "node:assert/strict";
import { messagesToChat } from "../../../src/providers/anthropic/from_messages.ts";
import type { GatewayError } from "../../../src/core/errors.ts";
import { fixtureJson } from "../_fixtures.ts";

Deno.test("messagesToChat() translates a recorded Messages request with images, tools and results", () => {
  const out = messagesToChat(fixtureJson("anthropic/messages_request_tools_images.json"), {
    maxTokensField: "max_completion_tokens",
  });
  assert.deepEqual(out, {
    model: "gpt-4o",
    messages: [
      { role: "system", content: "You are a weather assistant." },
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==" } },
          {
            type: "image_url",
            image_url: { url: "https://upload.wikimedia.org/wikipedia/commons/a/a9/Example.jpg" },
          },
          { type: "text", text: "Weather here?" },
        ],
      },
      {
        role: "assistant",
        content: "Let me look that up.",
        tool_calls: [{
          id: "toolu_01A09q90qw90lq917835lq9",
          type: "function",
          function: { name: "get_weather", arguments: '{"location":"München"}' },
        }],
      },
      { role: "tool", tool_call_id: "toolu_01A09q90qw90lq917835lq9", content: "21 °C, sunny" },
      { role: "user", content: "Thanks! And tomorrow?" },
    ],
    max_completion_tokens: 1024,
    stop: ["END"],
    temperature: 0.2,
    stream: true,
    user: "user-42",
    tools: [{
      type: "function",
      function: {
        name: "get_weather",
        parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
        description: "Current weather",
      },
    }],
    tool_choice: "required",
    parallel_tool_calls: false,
  });
});

Deno.test("messagesToChat() maps tool_choice and refuses what chat cannot take", () => {
  const base = { model: "m", max_tokens: 5, messages: [{ role: "user", content: "x" }] };
  const tools = [{ name: "f", input_schema: { type: "object" } }];
  const choice = (c: unknown) =>
    messagesToChat({ ...base, tools, tool_choice: c }, { maxTokensField: "max_tokens" });
  assert.equal(choice({ type: "auto" }).tool_choice, "auto");
  assert.equal(choice({ type: "none" }).tool_choice, "none");
  assert.deepEqual(choice({ type: "tool", name: "f" }).tool_choice, {
    type: "function",
    function: { name: "f" },
  });
  assert.equal(choice(undefined).max_tokens, 5);
  const refused = (body: Record<string, unknown>) =>
    assert.throws(
      () => messagesToChat(body, { maxTokensField: "max_tokens" }),
      (e: GatewayError) => e.status === 400,
    );
  refused({ model: "m" });
  refused({ ...base, messages: [{ role: "system", content: "x" }] });
  refused({ ...base, messages: [{ role: "user", content: [{ type: "document", source: {} }] }] });
  refused({ ...base, messages: [{ role: "user", content: [{ type: "image", source: { type: "file" } }] }] });
  refused({ ...base, tools: [{ type: "web_search_20250305" }] });
});

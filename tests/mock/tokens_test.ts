import assert from "node:assert/strict";
import { MOCK_TOKENS_PER_CHUNK, mockPromptTokens, mockTokenCounts } from "../../src/mock/mod.ts";

Deno.test("mockPromptTokens() counts message text and 3 tokens per message", () => {
  const body = {
    messages: [
      { role: "system", content: "abcd" },
      {
        role: "user",
        content: [{ type: "text", text: "efgh" }, { type: "image_url", image_url: { url: "x" } }],
      },
    ],
  };
  assert.equal(mockPromptTokens(body), Math.ceil(8 / 4) + 3 * 2);
});

Deno.test("mockPromptTokens() counts Anthropic system blocks and nested tool results", () => {
  const body = {
    system: [{ type: "text", text: "12345678" }],
    messages: [
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "t", content: [{ type: "text", text: "abcd" }] }],
      },
    ],
  };
  assert.equal(mockPromptTokens(body), Math.ceil(12 / 4) + 3);
});

Deno.test("mockPromptTokens() counts Responses input and instructions", async (t) => {
  await t.step("string input has no messages", () => {
    assert.equal(mockPromptTokens({ input: "hello", instructions: "be brief" }), Math.ceil(13 / 4));
  });
  await t.step("item input counts each item as a message", () => {
    const input = [{ role: "user", content: [{ type: "input_text", text: "hello" }] }, {
      role: "user",
      content: "x",
    }];
    assert.equal(mockPromptTokens({ input }), Math.ceil(6 / 4) + 6);
  });
});

Deno.test("mockPromptTokens() counts prompts, embedding inputs and token arrays", () => {
  assert.equal(mockPromptTokens({ prompt: "abcdefgh" }), 2);
  assert.equal(mockPromptTokens({ prompt: ["abc", "de"] }), 2);
  assert.equal(mockPromptTokens({ input: ["abcd", "efgh", "i"] }), 3);
  assert.equal(mockPromptTokens({ input: [1, 2, 3] }), 3);
  assert.equal(mockPromptTokens({ input: [[1, 2], [3]] }), 3);
});

Deno.test("mockPromptTokens() is 0 for bodies without text", () => {
  assert.equal(mockPromptTokens(null), 0);
  assert.equal(mockPromptTokens("text"), 0);
  assert.equal(mockPromptTokens({ model: "x" }), 0);
  assert.equal(mockPromptTokens({ messages: [] }), 0);
});

Deno.test("mockTokenCounts() reads [cached:N] and [reasoning:N] markers", () => {
  const body = { messages: [{ role: "user", content: "hello [cached:5] and [reasoning:11] [cached:9]" }] };
  const prompt = mockPromptTokens(body);
  assert.deepEqual(mockTokenCounts(body, { chunks: 2 }), {
    prompt,
    completion: 2 * MOCK_TOKENS_PER_CHUNK + 11,
    cached: 5,
    reasoning: 11,
  });
});

Deno.test("mockTokenCounts() caps cached tokens at the prompt tokens", () => {
  const body = { messages: [{ role: "user", content: "[cached:9999]" }] };
  const counts = mockTokenCounts(body);
  assert.equal(counts.cached, counts.prompt);
  assert.equal(counts.completion, 8 * MOCK_TOKENS_PER_CHUNK);
});

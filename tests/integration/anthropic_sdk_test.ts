/**
 * Contract tests: the real `@anthropic-ai/sdk` against `/v1/messages`, in both header styles it has
 * shipped (`Authorization: Bearer` + `anthropic-version: 2026-10-21`, and the older `x-api-key` +
 * `2023-06-01`), with an Anthropic upstream (pass-through) and an Azure upstream (translated).
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { CALLER_KEY } from "../_helpers/app.ts";
import { startMixedGateway } from "./_anthropic_gateway.ts";

const TOOLS = [{
  name: "get_weather",
  description: "Current weather",
  input_schema: { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] },
}];
const MESSAGES = [{ role: "user" as const, content: "Say hello" }];

function clients(url: string) {
  return {
    "Bearer + 2026-10-21": new Anthropic({ baseURL: url, apiKey: CALLER_KEY, maxRetries: 0 }),
    "x-api-key + 2023-06-01": new Anthropic({
      baseURL: url,
      apiKey: null,
      authToken: null,
      maxRetries: 0,
      defaultHeaders: { "x-api-key": CALLER_KEY, "anthropic-version": "2023-06-01" },
    }),
  };
}

Deno.test("Anthropic SDK works through /v1/messages against Anthropic and Azure upstreams", async (t) => {
  const gw = await startMixedGateway();
  try {
    for (const [style, client] of Object.entries(clients(gw.url))) {
      for (const model of ["claude-haiku-4-5", "gpt-4o"]) {
        await t.step(`${style}, ${model}, not streaming`, async () => {
          const m = await client.messages.create({ model, max_tokens: 200, messages: MESSAGES });
          assert.equal(m.type, "message");
          assert.equal(m.role, "assistant");
          assert.equal(m.stop_reason, "end_turn");
          assert.ok(m.content[0]?.type === "text" && m.content[0].text.startsWith("This is mock reply"));
          assert.ok(m.usage.input_tokens > 0 && m.usage.output_tokens > 0);
        });
        await t.step(`${style}, ${model}, streaming text`, async () => {
          const stream = client.messages.stream({ model, max_tokens: 200, messages: MESSAGES });
          let text = "";
          stream.on("text", (d) => text += d);
          const final = await stream.finalMessage();
          assert.ok(text.startsWith("This is mock reply chunk 1."));
          assert.equal(final.stop_reason, "end_turn");
          assert.ok(final.usage.output_tokens > 0);
          assert.ok(final.usage.input_tokens > 0, "input tokens known by the end of the stream");
        });
        await t.step(`${style}, ${model}, tools`, async () => {
          const m = await client.messages.create({
            model,
            max_tokens: 200,
            messages: MESSAGES,
            tools: TOOLS,
          });
          const block = m.content.find((b) => b.type === "tool_use");
          assert.ok(block && block.type === "tool_use");
          assert.equal(block.name, "get_weather");
          assert.deepEqual(block.input, { city: "mock" });
          assert.equal(m.stop_reason, "tool_use");
          const s = client.messages.stream({ model, max_tokens: 200, messages: MESSAGES, tools: TOOLS });
          const final = await s.finalMessage();
          const streamed = final.content.find((b) => b.type === "tool_use");
          assert.ok(streamed && streamed.type === "tool_use");
          assert.deepEqual(streamed.input, { city: "mock" });
        });
      }
    }
    await t.step("errors arrive as Anthropic SDK errors", async () => {
      const client = clients(gw.url)["Bearer + 2026-10-21"];
      await assert.rejects(
        client.messages.create({ model: "nope", max_tokens: 5, messages: MESSAGES }),
        (e: unknown) => e instanceof Anthropic.NotFoundError && /nope/.test(e.message),
      );
      const bad = new Anthropic({ baseURL: gw.url, apiKey: "wrong", maxRetries: 0 });
      await assert.rejects(
        bad.messages.create({ model: "gpt-4o", max_tokens: 5, messages: MESSAGES }),
        (e: unknown) => e instanceof Anthropic.AuthenticationError,
      );
    });
    await t.step("the client's anthropic-version reaches an Anthropic upstream", () => {
      const versions = new Set(
        gw.mock.requests.filter((r) => r.path === "/v1/messages").map((r) => r.headers["anthropic-version"]),
      );
      assert.deepEqual([...versions].sort(), ["2023-06-01", "2026-10-21"]);
      for (const r of gw.mock.requests) {
        assert.ok(!JSON.stringify(r.headers).includes(CALLER_KEY), "the caller key never goes upstream");
      }
    });
  } finally {
    await gw.close();
  }
});

Deno.test("Anthropic pass-through keeps the upstream's bytes, streaming too", async () => {
  const gw = await startMixedGateway();
  try {
    const body = JSON.stringify({
      model: "claude-haiku-4-5",
      max_tokens: 50,
      stream: true,
      messages: MESSAGES,
    });
    const headers = { "content-type": "application/json", "anthropic-version": "2023-06-01" };
    const direct = await (await fetch(`${gw.mock.url}/v1/messages`, {
      method: "POST",
      headers: { ...headers, "x-api-key": "upstream-secret-abcdef0123456789" },
      body,
    })).text();
    const via = await (await fetch(`${gw.url}/v1/messages`, {
      method: "POST",
      headers: { ...headers, "x-api-key": CALLER_KEY },
      body,
    })).text();
    const norm = (s: string) => s.replace(/"id":"[^"]*"/g, '"id":""');
    assert.equal(norm(via), norm(direct));
    const sent = gw.mock.requests.at(-1)!;
    assert.equal(sent.body, body, "the request body went upstream unchanged");
    await gw.recordsReached(1);
    assert.equal(gw.records[0]!.usage?.completionTokens, 56);
  } finally {
    await gw.close();
  }
});

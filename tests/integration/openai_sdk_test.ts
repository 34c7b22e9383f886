/**
 * Contract tests: the real `openai` SDK (`OpenAI` and `AzureOpenAI`) against the gateway in front of the
 * mock upstream. The SDK must parse every response, and streams must arrive unchanged and in order.
 */
import assert from "node:assert/strict";
import OpenAI, { AzureOpenAI } from "openai";
import { CALLER_KEY, UPSTREAM_KEY } from "../_helpers/app.ts";
import { startGateway } from "../_helpers/gateway.ts";

const MESSAGES = [{ role: "user" as const, content: "Say hello" }];

Deno.test("OpenAI SDK works through the gateway", async (t) => {
  const gw = await startGateway();
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: CALLER_KEY, maxRetries: 0 });
  try {
    await t.step("chat, not streaming", async () => {
      const r = await client.chat.completions.create({ model: "gpt-4o", messages: MESSAGES });
      assert.equal(r.object, "chat.completion");
      assert.ok(r.choices[0]?.message.content);
      assert.ok(r.usage && r.usage.prompt_tokens > 0);
    });
    await t.step("chat, streaming without include_usage", async () => {
      const stream = await client.chat.completions.create({
        model: "gpt-4o",
        messages: MESSAGES,
        stream: true,
      });
      const chunks = [];
      for await (const c of stream) chunks.push(c);
      assert.ok(chunks.length > 2);
      assert.ok(
        chunks.every((c) => c.choices.length > 0 || "prompt_filter_results" in c),
        "no usage-only chunk",
      );
      assert.ok(chunks.every((c) => !("usage" in c)), "no usage key the client did not ask for");
      assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, "stop");
    });
    await t.step("chat, streaming with include_usage", async () => {
      const stream = await client.chat.completions.create({
        model: "gpt-4o",
        messages: MESSAGES,
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks = [];
      for await (const c of stream) chunks.push(c);
      const last = chunks.at(-1)!;
      assert.deepEqual(last.choices, []);
      assert.ok(last.usage && last.usage.total_tokens > 0);
    });
    await t.step("embeddings (base64 decoded by the SDK)", async () => {
      const r = await client.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });
      assert.equal(r.data.length, 2);
      assert.equal(r.data[0]!.embedding.length, 1536);
      assert.ok(r.usage.prompt_tokens > 0);
    });
    await t.step("responses, not streaming", async () => {
      const r = await client.responses.create({ model: "gpt-4o", input: "Say hello" });
      assert.equal(r.object, "response");
      assert.ok(r.output_text.length > 0);
      assert.ok(r.usage && r.usage.input_tokens > 0);
    });
    await t.step("responses, streaming", async () => {
      const stream = await client.responses.create({ model: "gpt-4o", input: "Say hello", stream: true });
      const types: string[] = [];
      let text = "";
      for await (const ev of stream) {
        types.push(ev.type);
        if (ev.type === "response.output_text.delta") text += ev.delta;
      }
      assert.equal(types[0], "response.created");
      assert.equal(types.at(-1), "response.completed");
      assert.ok(text.length > 0);
    });
    await t.step("models", async () => {
      const list = await client.models.list();
      assert.ok(list.data.some((m) => m.id === "gpt-4o"));
    });
    await t.step("errors reach the SDK as APIError", async () => {
      await assert.rejects(
        () => client.chat.completions.create({ model: "no-such-model", messages: MESSAGES }),
        (e: InstanceType<typeof OpenAI.APIError>) => e.status === 404,
      );
    });
    await gw.recordsReached(7);
    const recs = gw.records.filter((r) => r.operation === "chat" && r.stream);
    assert.ok(recs.every((r) => r.usage !== null && r.usage.totalTokens > 0), "streams are always costed");
  } finally {
    await gw.close();
  }
});

Deno.test("AzureOpenAI SDK works through the gateway", async (t) => {
  const gw = await startGateway();
  const client = new AzureOpenAI({
    endpoint: gw.url,
    apiKey: CALLER_KEY,
    apiVersion: "2024-10-21",
    deployment: "gpt-4o-prod",
    maxRetries: 0,
  });
  try {
    await t.step("chat, not streaming", async () => {
      const r = await client.chat.completions.create({ model: "", messages: MESSAGES });
      assert.ok(r.choices[0]?.message.content);
    });
    await t.step("chat, streaming", async () => {
      const stream = await client.chat.completions.create({ model: "", messages: MESSAGES, stream: true });
      let text = "";
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
      assert.ok(text.length > 0);
    });
    await t.step("embeddings", async () => {
      const emb = new AzureOpenAI({
        endpoint: gw.url,
        apiKey: CALLER_KEY,
        apiVersion: "2024-10-21",
        deployment: "text-embedding-3-small",
        maxRetries: 0,
      });
      const r = await emb.embeddings.create({ model: "", input: "hello", dimensions: 256 });
      assert.equal(r.data[0]!.embedding.length, 256);
    });
    await t.step("responses", async () => {
      const rc = new AzureOpenAI({
        endpoint: gw.url,
        apiKey: CALLER_KEY,
        apiVersion: "2025-03-01-preview",
        maxRetries: 0,
      });
      const r = await rc.responses.create({ model: "gpt-4o-prod", input: "hello" });
      assert.ok(r.output_text.length > 0);
    });
  } finally {
    await gw.close();
  }
});

Deno.test("Secrets never cross the gateway", async () => {
  const gw = await startGateway();
  try {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: CALLER_KEY, maxRetries: 0 });
    const raw = await client.chat.completions.create({ model: "gpt-4o", messages: MESSAGES }).asResponse();
    const text = await raw.text();
    assert.ok(!text.includes(UPSTREAM_KEY));
    assert.ok(![...raw.headers.values()].some((v) => v.includes(UPSTREAM_KEY)));
    const s = await client.chat.completions.create({ model: "gpt-4o", messages: MESSAGES, stream: true });
    for await (const _ of s) { /* drain */ }
    for (const r of gw.mock.requests) {
      assert.ok(!JSON.stringify(r).includes(CALLER_KEY), "the caller key never reaches the upstream");
      assert.equal(r.headers["api-key"], UPSTREAM_KEY);
    }
    await gw.recordsReached(2);
    const dump = JSON.stringify(
      gw.records,
      (_k, v) => v instanceof Uint8Array ? new TextDecoder().decode(v) : v,
    );
    assert.ok(!dump.includes(CALLER_KEY) && !dump.includes(UPSTREAM_KEY), "no secret in call records");
  } finally {
    await gw.close();
  }
});

Deno.test("Stream bytes through the gateway equal the upstream's", async () => {
  const gw = await startGateway();
  try {
    const body = JSON.stringify({
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
    });
    const path = "/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21";
    const direct = await (await fetch(`${gw.mock.url}${path}`, {
      method: "POST",
      headers: { "api-key": UPSTREAM_KEY, "content-type": "application/json" },
      body,
    })).text();
    const via = await (await fetch(`${gw.url}${path}`, {
      method: "POST",
      headers: { "api-key": CALLER_KEY, "content-type": "application/json" },
      body,
    })).text();
    const norm = (s: string) =>
      s.replace(/"created":\d+/g, '"created":0').replace(/"id":"[^"]*"/g, '"id":""');
    assert.equal(norm(via), norm(direct));
  } finally {
    await gw.close();
  }
});

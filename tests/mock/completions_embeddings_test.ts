import assert from "node:assert/strict";
import OpenAI, { AzureOpenAI } from "openai";
import { createMockUpstream, mockPromptTokens, mockReplyText, serveMock } from "../../src/mock/mod.ts";
import { jsonRequest, sseData } from "./_util.ts";

Deno.test("createMockUpstream() answers legacy completions, streamed and not", async (t) => {
  const mock = createMockUpstream({ chunks: 3 });
  const body = { model: "gpt-35-turbo-instruct", prompt: "Say this is a test" };
  await t.step("not streamed", async () => {
    const json = await (await mock.handler(jsonRequest("/v1/completions", body))).json();
    assert.equal(json.object, "text_completion");
    assert.match(json.id, /^cmpl-/);
    assert.equal(json.choices[0].text, mockReplyText(3));
    assert.equal(json.choices[0].finish_reason, "stop");
    assert.equal(json.usage.prompt_tokens, mockPromptTokens(body));
    assert.equal(json.usage.completion_tokens, 21);
  });
  await t.step("streamed with usage", async () => {
    const req = jsonRequest("/v1/completions", {
      ...body,
      stream: true,
      stream_options: { include_usage: true },
    });
    const data = sseData(await (await mock.handler(req)).text());
    assert.equal(data.at(-1), "[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    assert.equal(chunks.length, 3 + 1 + 1);
    assert.equal(chunks.slice(0, 3).map((c) => c.choices[0].text).join(""), mockReplyText(3));
    assert.equal(chunks[3].choices[0].finish_reason, "stop");
    assert.equal(chunks[3].usage, null);
    assert.deepEqual(chunks[4].choices, []);
    assert.equal(chunks[4].usage.total_tokens, mockPromptTokens(body) + 21);
  });
  await t.step("Azure deployment route adds filter results", async () => {
    const req = jsonRequest("/openai/deployments/instruct/completions?api-version=2024-10-21", {
      prompt: "x",
      stream: true,
    });
    const data = sseData(await (await mock.handler(req)).text());
    assert.equal(JSON.parse(data[0]!).prompt_filter_results.length, 1);
    const first = JSON.parse(data[1]!);
    assert.equal(first.model, "instruct");
    assert.equal(first.choices[0].content_filter_results.hate.severity, "safe");
  });
});

Deno.test("createMockUpstream() returns float embeddings of the requested dimensions", async () => {
  const mock = createMockUpstream();
  const body = { model: "text-embedding-3-small", input: ["one", "two", "three"], encoding_format: "float" };
  const json = await (await mock.handler(jsonRequest("/v1/embeddings", body))).json();
  assert.equal(json.object, "list");
  assert.equal(json.model, "text-embedding-3-small");
  assert.equal(json.data.length, 3);
  assert.deepEqual(json.data.map((d: { index: number }) => d.index), [0, 1, 2]);
  assert.equal(json.data[0].object, "embedding");
  assert.equal(json.data[0].embedding.length, 1536);
  const norm = Math.hypot(...json.data[0].embedding);
  assert.ok(Math.abs(norm - 1) < 1e-3, `norm ${norm}`);
  assert.deepEqual(json.usage, {
    prompt_tokens: mockPromptTokens(body),
    total_tokens: mockPromptTokens(body),
  });
  const small = await (await mock.handler(jsonRequest("/v1/embeddings", { ...body, dimensions: 8 }))).json();
  assert.equal(small.data[0].embedding.length, 8);
});

Deno.test("createMockUpstream() encodes base64 embeddings as little-endian float32", async () => {
  const mock = createMockUpstream();
  const float =
    await (await mock.handler(jsonRequest("/v1/embeddings", { model: "m", input: "x", dimensions: 4 })))
      .json();
  const b64 = await (await mock.handler(
    jsonRequest("/v1/embeddings", { model: "m", input: "x", dimensions: 4, encoding_format: "base64" }),
  )).json();
  const bytes = Uint8Array.from(atob(b64.data[0].embedding), (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  const decoded = [0, 1, 2, 3].map((i) => view.getFloat32(i * 4, true));
  assert.deepEqual(decoded, float.data[0].embedding);
});

Deno.test("createMockUpstream() rejects embeddings requests with bad parameters", async (t) => {
  const mock = createMockUpstream();
  for (
    const [name, body] of [
      ["empty input", { model: "m", input: [] }],
      ["bad dimensions", { model: "m", input: "x", dimensions: 0 }],
      ["bad format", { model: "m", input: "x", encoding_format: "hex" }],
    ] as const
  ) {
    await t.step(name, async () => {
      const res = await mock.handler(jsonRequest("/v1/embeddings", body));
      assert.equal(res.status, 400);
      assert.equal((await res.json()).error.type, "invalid_request_error");
    });
  }
});

Deno.test("serveMock() embeddings decode with the openai SDK's default base64", async () => {
  const mock = serveMock();
  try {
    const client = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: "k", maxRetries: 0 });
    const res = await client.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });
    assert.equal(JSON.parse(mock.requests.at(-1)!.body).encoding_format, "base64");
    assert.equal(res.data.length, 2);
    assert.equal(res.data[0]?.embedding.length, 1536);
    assert.ok(res.data[0]?.embedding.every((v) => Number.isFinite(v) && Math.abs(v) < 1));
    const azure = new AzureOpenAI({
      endpoint: mock.url,
      apiKey: "k",
      apiVersion: "2024-10-21",
      deployment: "embed",
      maxRetries: 0,
    });
    const res2 = await azure.embeddings.create({ model: "", input: "a", dimensions: 256 });
    assert.equal(res2.data[0]?.embedding.length, 256);
    assert.equal(res2.model, "embed");
    assert.equal(mock.requests.at(-1)?.path, "/openai/deployments/embed/embeddings");
  } finally {
    await mock.shutdown();
  }
});

import assert from "node:assert/strict";
import { buildRequest, chatPath, defaultBody } from "../../src/bench/request.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("buildRequest() follows each dialect's path and auth header", async (t) => {
  const base = { baseUrl: "http://gw:8787/", key: "secret", model: "gpt-4o", stream: false };
  await t.step("openai", () => {
    const r = buildRequest({ ...base, dialect: "openai" });
    assert.equal(r.url, "http://gw:8787/v1/chat/completions");
    assert.equal(r.headers.authorization, "Bearer secret");
    assert.deepEqual(JSON.parse(text(r.body)), defaultBody("openai", "gpt-4o", false));
  });
  await t.step("azure", () => {
    const r = buildRequest({
      ...base,
      dialect: "azure",
      deployment: "my dep",
      apiVersion: "2025-01-01-preview",
    });
    assert.equal(
      r.url,
      "http://gw:8787/openai/deployments/my%20dep/chat/completions?api-version=2025-01-01-preview",
    );
    assert.equal(r.headers["api-key"], "secret");
    assert.equal(r.headers.authorization, undefined);
  });
  await t.step("azure defaults", () => {
    assert.equal(
      chatPath({ dialect: "azure", model: "m" }),
      "/openai/deployments/m/chat/completions?api-version=2024-10-21",
    );
  });
  await t.step("anthropic", () => {
    const r = buildRequest({ ...base, dialect: "anthropic", stream: true });
    assert.equal(r.url, "http://gw:8787/v1/messages");
    assert.equal(r.headers["x-api-key"], "secret");
    assert.equal(r.headers["anthropic-version"], "2023-06-01");
    const body = JSON.parse(text(r.body));
    assert.equal(body.max_tokens, 256);
    assert.equal(body.stream, true);
    assert.equal(r.stream, true);
  });
  await t.step("a path prefix and extra headers are kept", () => {
    const r = buildRequest({
      ...base,
      baseUrl: "http://proxy/llm",
      dialect: "openai",
      headers: { "x-mock-chunks": "4" },
    });
    assert.equal(r.url, "http://proxy/llm/v1/chat/completions");
    assert.equal(r.headers["x-mock-chunks"], "4");
  });
});

Deno.test("buildRequest() sends a given body, setting stream when asked", () => {
  const body = '{"model":"x","messages":[], "temperature":0}';
  const plain = buildRequest({
    dialect: "openai",
    baseUrl: "http://gw",
    key: "k",
    model: "m",
    stream: false,
    body,
  });
  assert.equal(text(plain.body), body);
  assert.equal(plain.stream, false);
  const streamed = buildRequest({
    dialect: "openai",
    baseUrl: "http://gw",
    key: "k",
    model: "m",
    stream: true,
    body,
  });
  assert.deepEqual(JSON.parse(text(streamed.body)), {
    model: "x",
    messages: [],
    temperature: 0,
    stream: true,
  });
  const own = buildRequest({
    dialect: "openai",
    baseUrl: "http://gw",
    key: "k",
    model: "m",
    stream: false,
    body: '{"stream":true}',
  });
  assert.equal(own.stream, true);
  assert.throws(
    () =>
      buildRequest({
        dialect: "openai",
        baseUrl: "http://gw",
        key: "k",
        model: "m",
        stream: false,
        body: "[1]",
      }),
    SyntaxError,
  );
  assert.throws(
    () =>
      buildRequest({
        dialect: "openai",
        baseUrl: "http://gw",
        key: "k",
        model: "m",
        stream: false,
        body: "{",
      }),
    SyntaxError,
  );
});

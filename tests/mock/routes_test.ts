import assert from "node:assert/strict";
import { createMockUpstream } from "../../src/mock/mod.ts";
import { chatBody, jsonRequest } from "./_util.ts";

const A = { "anthropic-version": "2023-06-01" };
const MSG = { model: "claude", max_tokens: 5, messages: [{ role: "user", content: "x" }] };

Deno.test("createMockUpstream() serves every route", async (t) => {
  const mock = createMockUpstream({ chunks: 1 });
  const routes: [string, unknown, Record<string, string>?][] = [
    ["/openai/deployments/d/chat/completions?api-version=2024-10-21", { messages: [] }],
    ["/openai/deployments/d/completions?api-version=2024-10-21", { prompt: "x" }],
    ["/openai/deployments/d/embeddings?api-version=2024-10-21", { input: "x" }],
    ["/openai/deployments/d/responses?api-version=2025-04-01-preview", { input: "x" }],
    ["/openai/responses?api-version=2025-04-01-preview", { model: "d", input: "x" }],
    ["/openai/v1/chat/completions", chatBody("x")],
    ["/openai/v1/completions", { model: "m", prompt: "x" }],
    ["/openai/v1/embeddings", { model: "m", input: "x" }],
    ["/openai/v1/responses", { model: "m", input: "x" }],
    ["/v1/chat/completions", chatBody("x")],
    ["/v1/completions", { model: "m", prompt: "x" }],
    ["/v1/embeddings", { model: "m", input: "x" }],
    ["/v1/responses", { model: "m", input: "x" }],
    ["/v1/messages", MSG, A],
  ];
  for (const [path, body, headers] of routes) {
    await t.step(`POST ${path}`, async () => {
      const res = await mock.handler(jsonRequest(path, body, headers));
      assert.equal(res.status, 200, await res.clone().text());
      await res.json();
    });
  }
  for (const path of ["/v1/models", "/openai/v1/models"]) {
    await t.step(`GET ${path}`, async () => {
      const res = await mock.handler(new Request(`http://mock.test${path}`));
      const json = await res.json();
      assert.equal(json.object, "list");
      assert.ok(json.data.some((m: { id: string }) => m.id === "gpt-4o"));
    });
  }
  assert.equal(mock.requests.length, routes.length + 2);
});

Deno.test("createMockUpstream() sends provider headers per flavor", async () => {
  const mock = createMockUpstream();
  const openai = await mock.handler(jsonRequest("/v1/embeddings", { model: "m", input: "x" }));
  await openai.body?.cancel();
  for (const h of ["x-request-id", "openai-processing-ms", "x-ratelimit-limit-requests"]) {
    assert.ok(openai.headers.has(h));
  }
  assert.equal(openai.headers.has("apim-request-id"), false);
  const azure = await mock.handler(jsonRequest("/openai/v1/embeddings", { model: "m", input: "x" }));
  await azure.body?.cancel();
  for (const h of ["apim-request-id", "x-ms-region", "x-ratelimit-remaining-tokens"]) {
    assert.ok(azure.headers.has(h));
  }
});

Deno.test("createMockUpstream() answers unknown routes with 404 in the dialect's shape", async (t) => {
  const mock = createMockUpstream();
  await t.step("OpenAI", async () => {
    const res = await mock.handler(jsonRequest("/v1/nope", {}));
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), {
      error: {
        message: "Invalid URL (POST /v1/nope)",
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    });
  });
  await t.step("wrong method", async () => {
    const res = await mock.handler(new Request("http://mock.test/v1/chat/completions"));
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error.message, "Invalid URL (GET /v1/chat/completions)");
  });
  await t.step("Azure", async () => {
    const res = await mock.handler(jsonRequest("/openai/deployments/d/images?api-version=1", {}));
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: { code: "404", message: "Resource not found" } });
  });
  await t.step("Anthropic", async () => {
    const res = await mock.handler(jsonRequest("/v1/messages/batches", {}, A));
    const json = await res.json();
    assert.equal(json.type, "error");
    assert.equal(json.error.type, "not_found_error");
  });
});

Deno.test("createMockUpstream() requires api-version on classic Azure routes only", async () => {
  const mock = createMockUpstream();
  const res = await mock.handler(jsonRequest("/openai/deployments/d/chat/completions", { messages: [] }));
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { error: { code: "404", message: "Resource not found" } });
  const v1 = await mock.handler(jsonRequest("/openai/v1/chat/completions", chatBody("x")));
  assert.equal(v1.status, 200);
  await v1.body?.cancel();
});

Deno.test("createMockUpstream() rejects bad JSON and a missing model in each dialect", async (t) => {
  const mock = createMockUpstream();
  await t.step("OpenAI", async () => {
    const res = await mock.handler(jsonRequest("/v1/chat/completions", "{nope"));
    assert.equal(res.status, 400);
    assert.match((await res.json()).error.message, /could not parse the JSON body/);
  });
  await t.step("Azure", async () => {
    const res = await mock.handler(
      jsonRequest("/openai/deployments/d/chat/completions?api-version=1", "[1]"),
    );
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.type, "invalid_request_error");
  });
  await t.step("Anthropic", async () => {
    const res = await mock.handler(jsonRequest("/v1/messages", "{", A));
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.type, "invalid_request_error");
  });
  await t.step("missing model", async () => {
    const res = await mock.handler(jsonRequest("/v1/chat/completions", { messages: [] }));
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.message, "you must provide a model parameter");
  });
});

Deno.test("createMockUpstream() checks the API key the way each provider sends it", async (t) => {
  const mock = createMockUpstream({ apiKey: "secret" });
  const cases: [string, string, unknown, Record<string, string>, number][] = [
    ["Azure api-key", "/openai/v1/embeddings", { model: "m", input: "x" }, { "api-key": "secret" }, 200],
    [
      "Azure bearer",
      "/openai/v1/embeddings",
      { model: "m", input: "x" },
      { authorization: "Bearer secret" },
      200,
    ],
    ["Azure wrong", "/openai/v1/embeddings", { model: "m", input: "x" }, { "api-key": "nope" }, 401],
    ["OpenAI bearer", "/v1/embeddings", { model: "m", input: "x" }, { authorization: "Bearer secret" }, 200],
    [
      "OpenAI api-key is not enough",
      "/v1/embeddings",
      { model: "m", input: "x" },
      { "api-key": "secret" },
      401,
    ],
    ["Anthropic x-api-key", "/v1/messages", MSG, { ...A, "x-api-key": "secret" }, 200],
    ["Anthropic bearer", "/v1/messages", MSG, { ...A, authorization: "Bearer secret" }, 200],
    ["Anthropic missing", "/v1/messages", MSG, A, 401],
  ];
  for (const [name, path, body, headers, status] of cases) {
    await t.step(name, async () => {
      const res = await mock.handler(jsonRequest(path, body, headers));
      assert.equal(res.status, status);
      const json = await res.json();
      if (status === 401 && path === "/v1/messages") {
        assert.deepEqual(json.error, {
          type: "authentication_error",
          message: "x-api-key header is required",
        });
      } else if (status === 401 && path.startsWith("/openai/")) {
        assert.equal(json.error.code, "401");
      } else if (status === 401) {
        assert.equal(json.error.code, "invalid_api_key");
      }
    });
  }
});

Deno.test("createMockUpstream() records requests, keeps the last 1000 and clears on reset()", async () => {
  const mock = createMockUpstream();
  const first = await mock.handler(
    jsonRequest("/v1/embeddings?x=1", { model: "m", input: "a" }, { "x-custom": "v" }),
  );
  await first.body?.cancel();
  assert.deepEqual(mock.requests[0], {
    method: "POST",
    path: "/v1/embeddings",
    search: "?x=1",
    headers: { "content-type": "application/json", "x-custom": "v" },
    body: JSON.stringify({ model: "m", input: "a" }),
  });
  for (let i = 0; i < 1005; i++) {
    await (await mock.handler(new Request(`http://mock.test/v1/models?i=${i}`))).body?.cancel();
  }
  assert.equal(mock.requests.length, 1000);
  assert.equal(mock.requests[0]?.search, "?i=5");
  const requests = mock.requests;
  mock.reset();
  assert.equal(requests.length, 0);
  assert.equal(mock.requests, requests);
});

Deno.test("createMockUpstream() rejects malformed control headers and options", async () => {
  const mock = createMockUpstream();
  const res = await mock.handler(
    jsonRequest("/v1/chat/completions", chatBody("x"), { "x-mock-chunks": "many" }),
  );
  assert.equal(res.status, 400);
  assert.match((await res.json()).error.message, /x-mock-chunks/);
  const fault = await mock.handler(
    jsonRequest("/v1/chat/completions", chatBody("x"), { "x-mock-fault": "explode" }),
  );
  assert.equal(fault.status, 400);
  await fault.body?.cancel();
  const status = await mock.handler(
    jsonRequest("/v1/chat/completions", chatBody("x"), { "x-mock-status": "200" }),
  );
  assert.equal(status.status, 400);
  await status.body?.cancel();
  assert.throws(() => createMockUpstream({ chunks: -1 }), RangeError);
  assert.throws(() => createMockUpstream({ latencyMs: 1.5 }), RangeError);
});

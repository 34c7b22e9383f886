/** Hostile and careless inputs against the app: each case was a reproduced defect. */
import assert from "node:assert/strict";
import { sha256Hex } from "../../src/core/sha256.ts";
import { apiKeyAuth } from "../../src/providers/azure/auth.ts";
import { appWith, CALLER_KEY, post, testApp, UPSTREAM_KEY } from "../_helpers/app.ts";
import { azureUpstream, testConfig } from "../_helpers/config.ts";

const CHAT_OK = JSON.stringify({
  id: "chatcmpl-1",
  object: "chat.completion",
  model: "gpt-4o",
  choices: [{ index: 0, message: { role: "assistant", content: "Hi" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});
const okUpstream = () => new Response(CHAT_OK, { headers: { "content-type": "application/json" } });
const LOOPBACK = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 5000 } };
const REMOTE = { remoteAddr: { transport: "tcp" as const, hostname: "203.0.113.9", port: 5000 } };

Deno.test("createApp() never forwards the caller's key from the query string", async () => {
  const { app, seen } = appWith(okUpstream);
  for (const name of ["api-key", "key", "subscription-key", "code"]) {
    const res = await app(post(
      `/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21&${name}=${CALLER_KEY}`,
      { messages: [{ role: "user", content: "Hi" }] },
    ));
    assert.equal(res.status, 200, name);
    await res.body?.cancel();
  }
  const v1 = await app(post(`/openai/v1/chat/completions?api-key=${CALLER_KEY}`, { model: "gpt-4o" }));
  assert.equal(v1.status, 200);
  await v1.body?.cancel();
  assert.equal(seen.length, 5);
  for (const s of seen) {
    assert.ok(!s.url.includes(CALLER_KEY), s.url);
    assert.ok(!/[?&](api-key|key|subscription-key|code)=/.test(s.url), s.url);
  }
  assert.ok(seen[0]!.url.endsWith("/chat/completions?api-version=2024-10-21"), seen[0]!.url);
});

Deno.test("createApp() refuses impossible and repeated api-version values with 400", async () => {
  const { app, seen } = appWith(okUpstream);
  const cases: [string, string][] = [
    ["?api-version=2024-13-45", "invalid_api_version"],
    ["?api-version=2024-10-21&api-version=2024-10-21", "duplicate_api_version"],
  ];
  for (const [query, code] of cases) {
    const res = await app(post(`/openai/deployments/gpt-4o-prod/chat/completions${query}`, {}));
    assert.equal(res.status, 400, query);
    const body = await res.json();
    assert.equal(body.error.code, code);
    assert.equal(body.error.param, "api-version");
  }
  const v1 = await app(post("/openai/v1/chat/completions?api-version=2024-02-30", { model: "gpt-4o" }));
  assert.equal(v1.status, 400);
  await v1.body?.cancel();
  assert.equal(seen.length, 0);
});

Deno.test("createApp() answers 405 with Allow for a wrong method on a served path, 501 elsewhere", async () => {
  const { app } = appWith(okUpstream);
  for (const method of ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
    const res = await app(new Request("http://gw/v1/chat/completions", { method }));
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.get("allow"), "POST");
    const body = await res.json();
    assert.equal(body.error.code, "method_not_allowed");
    assert.equal(body.error.type, "invalid_request_error");
    assert.match(body.error.message, new RegExp(`takes POST, not ${method}`));
  }
  const anthropic = await app(new Request("http://gw/v1/messages", { method: "GET" }));
  assert.equal(anthropic.status, 405);
  assert.deepEqual(Object.keys(await anthropic.json()), ["type", "error"]);
  const azure = await app(new Request("http://gw/openai/deployments/d/embeddings?api-version=2024-10-21"));
  assert.equal(azure.status, 405);
  await azure.body?.cancel();
  const health = await app(new Request("http://gw/health", { method: "POST" }));
  assert.equal(health.status, 405);
  assert.equal(health.headers.get("allow"), "GET, HEAD");
  await health.body?.cancel();
  const unknown = await app(new Request("http://gw/v1/images/generations", { method: "GET" }));
  assert.equal(unknown.status, 501);
  await unknown.body?.cancel();
});

Deno.test("createApp() answers 431 in the API's error shape for oversized request headers", async () => {
  const { app, seen } = appWith(okUpstream);
  const big = { "x-padding": "a".repeat(40 * 1024) };
  const res = await app(post("/v1/chat/completions", { model: "gpt-4o" }, big));
  assert.equal(res.status, 431);
  assert.equal((await res.json()).error.code, "request_headers_too_large");
  const anthropic = await app(
    post("/v1/messages", { model: "gpt-4o", max_tokens: 5, messages: [] }, {
      ...big,
      "x-api-key": CALLER_KEY,
    }),
  );
  assert.equal(anthropic.status, 431);
  assert.equal((await anthropic.json()).type, "error");
  assert.equal(seen.length, 0);
});

Deno.test("createApp() shows /health detail only to loopback clients and management tokens", async () => {
  const config = testConfig([azureUpstream("https://res.example")]);
  const app = testApp({
    config,
    callerKeys: [{ id: "dev", sha256: sha256Hex(CALLER_KEY) }],
    upstreamAuth: new Map([[config.upstreams[0]!.name, apiKeyAuth(UPSTREAM_KEY)]]),
  }, {
    managementDigests: [sha256Hex("reader-token-123")],
    health: () => ({ spend_today_eur: 12.5 }),
  });
  const other = { ...REMOTE, localAddr: { transport: "tcp" as const, hostname: "10.0.0.5", port: 8787 } };
  assert.deepEqual(await (await app(new Request("http://gw/health"), other)).json(), { status: "ok" });
  const anonymous = await app(new Request("http://gw/health"), REMOTE);
  assert.equal(anonymous.status, 200);
  assert.deepEqual(await anonymous.json(), { status: "ok" });
  const callerKey = await app(
    new Request("http://gw/health", { headers: { authorization: `Bearer ${CALLER_KEY}` } }),
    REMOTE,
  );
  assert.deepEqual(await callerKey.json(), { status: "ok" });
  for (
    const [req, info] of [
      [new Request("http://gw/health", { headers: { authorization: "Bearer reader-token-123" } }), REMOTE],
      [new Request("http://gw/health"), LOOPBACK],
      [new Request("http://gw/health"), {
        remoteAddr: { transport: "tcp" as const, hostname: "::1", port: 1 },
      }],
      [new Request("http://gw/health"), {
        remoteAddr: { transport: "tcp" as const, hostname: "10.0.0.5", port: 40000 },
        localAddr: { transport: "tcp" as const, hostname: "10.0.0.5", port: 8787 },
      }],
    ] as const
  ) {
    const h = await (await app(req, info)).json();
    assert.equal(h.config.source, "test");
    assert.equal(h.spend_today_eur, 12.5);
    assert.equal(h.upstreams[0].name, "azure-test");
  }
});

Deno.test("createApp() caps the model name and keeps secret-shaped ones out of the record", async () => {
  const { app, records, recordsReached, seen } = appWith(okUpstream);
  const long = await app(post("/v1/chat/completions", { model: "m".repeat(500_000) }));
  assert.equal(long.status, 400);
  const body = await long.json();
  assert.equal(body.error.code, "model_too_long");
  assert.equal(body.error.param, "model");
  assert.ok(body.error.message.length < 200);
  const deployment = await app(
    post(`/openai/deployments/${"d".repeat(300)}/chat/completions?api-version=2024-10-21`, {}),
  );
  assert.equal(deployment.status, 400);
  assert.equal((await deployment.json()).error.param, "deployment");
  for (
    const model of [CALLER_KEY, "0123456789abcdef0123456789abcdef", "sk-proj-AAAAbbbbCCCC1234", "Bearer abc"]
  ) {
    const res = await app(post("/v1/chat/completions", { model }));
    assert.equal(res.status, 404);
    await res.body?.cancel();
  }
  await recordsReached(6);
  assert.equal(records[0]!.model, null); // refused before anything of it was kept
  assert.equal(records[1]!.model, `${"d".repeat(256)}…`);
  assert.deepEqual(records.slice(2).map((r) => r.model), Array(4).fill("[SECRET]"));
  for (const r of records.slice(2)) assert.match(r.error!.message, /^The model "\[SECRET\]"/);
  assert.ok(!JSON.stringify(records).includes("0123456789abcdef0123456789abcdef"));
  assert.equal(seen.length, 0);
  // Real model names are kept as they are.
  const ok = await app(post("/v1/chat/completions", { model: "gpt-4o" }));
  await ok.body?.cancel();
  await recordsReached(7);
  assert.equal(records[6]!.model, "gpt-4o");
});

import assert from "node:assert/strict";
import { appWith, CALLER_KEY, post, UPSTREAM_KEY } from "../_helpers/app.ts";

const CHAT_OK = JSON.stringify({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1,
  model: "gpt-4o",
  choices: [{ index: 0, message: { role: "assistant", content: "Hi" }, finish_reason: "stop" }],
  usage: {
    prompt_tokens: 11,
    completion_tokens: 2,
    total_tokens: 13,
    prompt_tokens_details: { cached_tokens: 4 },
  },
});

const okUpstream = () =>
  new Response(CHAT_OK, {
    headers: {
      "content-type": "application/json",
      "x-request-id": "up-1",
      "x-ratelimit-remaining-requests": "9",
    },
  });

Deno.test("createApp() forwards an OpenAI-style chat call to the Azure deployment", async () => {
  const { app, seen, records } = appWith(okUpstream);
  const res = await app(
    post("/v1/chat/completions", { model: "gpt-4o", messages: [{ role: "user", content: "Hi" }] }),
  );
  assert.equal(res.status, 200);
  assert.equal(await res.text(), CHAT_OK, "body relayed byte for byte");
  assert.equal(res.headers.get("x-request-id"), "up-1");
  assert.equal(res.headers.get("x-ratelimit-remaining-requests"), "9");
  assert.ok(res.headers.get("x-azmw-request-id"));
  const up = seen[0]!;
  assert.equal(
    up.url,
    "https://res.example/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21",
  );
  assert.equal(up.headers.get("api-key"), UPSTREAM_KEY);
  assert.equal(up.headers.get("authorization"), null);
  assert.ok(![...up.headers.values()].some((v) => v.includes(CALLER_KEY)), "caller key never goes upstream");
  const rec = records[0]!;
  assert.equal(rec.status, 200);
  assert.equal(rec.model, "gpt-4o");
  assert.equal(rec.deployment, "gpt-4o-prod");
  assert.equal(rec.upstream, "azure-test");
  assert.deepEqual(rec.caller, { keyId: "dev", project: "demo", tokenId: null });
  assert.equal(rec.usage?.promptTokens, 11);
  assert.equal(rec.usage?.cachedTokens, 4);
  assert.equal(rec.usageSource, "upstream");
  assert.equal(rec.attempts, 1);
});

Deno.test("createApp() passes the body through unchanged when nothing must change", async () => {
  const { app, seen } = appWith(okUpstream);
  const raw = '{ "messages" : [ {"role":"user","content":"x"} ],  "temperature": 0.5 }';
  await (await app(post("/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21", raw)))
    .text();
  assert.equal(seen[0]!.body, raw);
});

Deno.test("createApp() refuses callers without a valid key, in the dialect's shape", async () => {
  const { app, seen, records } = appWith(okUpstream);
  const res = await app(new Request("http://gw/v1/chat/completions", { method: "POST", body: "{}" }));
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error.code, "missing_api_key");
  const bad = await app(post("/v1/chat/completions", {}, { authorization: "Bearer nope" }));
  assert.equal(bad.status, 401);
  assert.equal((await bad.json()).error.type, "authentication_error");
  assert.equal(seen.length, 0);
  assert.deepEqual(records.map((r) => r.status), [401, 401]);
});

Deno.test("createApp() answers clear 4xx errors for bad requests", async (t) => {
  const { app, seen } = appWith(okUpstream, { config: (c) => void (c.server.maxBodyBytes = 2000) });
  const cases: [string, Request, number, string][] = [
    ["bad JSON", post("/v1/chat/completions", "{nope"), 400, "invalid_json"],
    ["no model", post("/v1/chat/completions", { messages: [] }), 400, "missing_model"],
    ["unknown model", post("/v1/chat/completions", { model: "gpt-9" }), 404, "model_not_found"],
    [
      "unknown deployment",
      post("/openai/deployments/nope/chat/completions?api-version=2024-10-21", {}),
      404,
      "DeploymentNotFound",
    ],
    [
      "no api-version",
      post("/openai/deployments/gpt-4o-prod/chat/completions", {}),
      400,
      "missing_api_version",
    ],
    [
      "bad api-version",
      post("/openai/deployments/gpt-4o-prod/embeddings?api-version=v1", {}),
      400,
      "invalid_api_version",
    ],
    [
      "too large",
      post("/v1/chat/completions", { model: "gpt-4o", pad: "x".repeat(3000) }),
      413,
      "request_too_large",
    ],
    ["unknown endpoint", post("/v1/images/generations", {}), 501, "unsupported_endpoint"],
  ];
  for (const [name, req, status, code] of cases) {
    await t.step(name, async () => {
      const res = await app(req);
      assert.equal(res.status, status);
      const body = await res.json();
      assert.equal(body.error.code, code);
      assert.equal(typeof body.error.message, "string");
    });
  }
  assert.equal(seen.length, 0);
});

Deno.test("createApp() passes upstream errors through unchanged", async () => {
  const errBody = '{"error":{"code":"429","message":"Rate limit is exceeded. Try again in 3 seconds."}}';
  const { app, records } = appWith(() =>
    new Response(errBody, {
      status: 429,
      headers: { "retry-after": "3", "content-type": "application/json" },
    })
  );
  const res = await app(post("/v1/chat/completions", { model: "gpt-4o" }));
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("retry-after"), "3");
  assert.equal(await res.text(), errBody);
  assert.equal(records[0]!.error?.message, "Rate limit is exceeded. Try again in 3 seconds.");
});

Deno.test("createApp() answers 502 when the upstream cannot be reached", async () => {
  const { app, records } = appWith(() => {
    throw new TypeError(
      "error sending request for url (https://res.example/...): Connection refused (os error 111)",
    );
  });
  const res = await app(post("/v1/chat/completions", { model: "gpt-4o" }));
  assert.equal(res.status, 502);
  const body = await res.json();
  assert.equal(body.error.code, "upstream_unreachable");
  assert.match(body.error.message, /connection refused/);
  assert.ok(!body.error.message.includes("res.example"));
  assert.equal(records[0]!.status, 502);
});

Deno.test("createApp() answers 504 when the upstream sends nothing in time", async () => {
  const { app } = appWith(
    (_req, seen) =>
      new Promise((_, reject) => seen.signal?.addEventListener("abort", () => reject(seen.signal?.reason))),
    {
      upstream: { timeouts: { firstByteMs: 30, idleMs: 0, totalMs: 0 } },
    },
  );
  const res = await app(post("/v1/embeddings", { model: "text-embedding-3-small", input: "x" }));
  assert.equal(res.status, 504);
  assert.equal((await res.json()).error.code, "upstream_timeout");
});

Deno.test("createApp() lists public models and reports health", async () => {
  const { app } = appWith(okUpstream);
  const models = await app(new Request("http://gw/v1/models", { headers: { "api-key": CALLER_KEY } }));
  assert.deepEqual((await models.json()).data.map((m: { id: string }) => m.id), [
    "gpt-4o",
    "gpt-4o-latest",
    "text-embedding-3-small",
  ]);
  const denied = await app(new Request("http://gw/openai/v1/models"));
  assert.equal(denied.status, 401);
  const health = await app(new Request("http://gw/health"), {
    remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
  });
  assert.equal(health.status, 200);
  const h = await health.json();
  assert.equal(h.status, "ok");
  assert.equal(h.upstreams[0].ready, true);
  assert.ok(!JSON.stringify(h).includes(UPSTREAM_KEY));
});

Deno.test("createApp() reports its own time as x-azmw-overhead-ms", async () => {
  let t = 1000;
  const { app } = appWith(() => {
    t += 50; // the upstream takes 50 ms; the gateway's own steps take no time on this clock
    return okUpstream();
  }, { clock: () => t });
  const res = await app(post("/v1/chat/completions", { model: "gpt-4o" }));
  await res.text();
  assert.equal(res.headers.get("x-azmw-overhead-ms"), "0.000");
});

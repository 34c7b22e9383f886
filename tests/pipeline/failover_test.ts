import assert from "node:assert/strict";
import type { ModelConfig } from "../../src/config/types.ts";
import { GatewayError } from "../../src/core/errors.ts";
import { azure, chatOk, json, resetBeforeFirstByte, routingHarness } from "./_routing.ts";

const both: ModelConfig = {
  name: "m",
  strategy: "priority",
  aliases: [],
  targets: [
    { upstream: "a", deployment: "a-dep", weight: 1, priority: 0 },
    { upstream: "b", deployment: "b-dep", weight: 1, priority: 1 },
  ],
};
const chat = { model: "m", messages: [{ role: "user", content: "Hi" }] };
const err500 = () => json(500, { error: { message: "The server had an error", type: "server_error" } });

Deno.test("a 429 with Retry-After is waited for (capped) and retried on the same target", async () => {
  const h = routingHarness([azure("a")], {
    a: (_req, n) =>
      n === 0
        ? json(429, { error: { message: "Slow down", code: "429" } }, {
          "retry-after-ms": "300",
          "retry-after": "1",
        })
        : chatOk("a"),
  });
  const res = await h.call({ model: "a-model", messages: [] });
  assert.equal(res.status, 200);
  assert.deepEqual(h.sleeps, [300]);
  const rec = h.records[0]!;
  assert.equal(rec.attempts, 2);
  assert.deepEqual(rec.tried!.map((t) => [t.upstream, t.status, t.error]), [
    ["a", 429, "HTTP 429: Slow down"],
    ["a", 200, null],
  ]);
  assert.equal(rec.upstream, "a");
});

Deno.test("a 500 storm is retried with jittered backoff, then falls back to the next target", async () => {
  const h = routingHarness([azure("a"), azure("b")], { a: err500, b: () => chatOk("b") }, { models: [both] });
  const res = await h.call(chat);
  assert.equal(res.status, 200);
  assert.equal((await res.json()).model, "b");
  assert.deepEqual(h.sleeps, [100, 200], "full jitter (random 0.5) of 200 and 400 ms");
  const rec = h.records[0]!;
  assert.equal(rec.attempts, 4);
  assert.equal(rec.upstream, "b");
  assert.equal(rec.deployment, "b-dep");
  assert.deepEqual(rec.tried!.map((t) => [t.upstream, t.status]), [["a", 500], ["a", 500], ["a", 500], [
    "b",
    200,
  ]]);
  assert.match(rec.tried![0]!.error!, /HTTP 500: The server had an error/);
  assert.equal(
    h.seen[3]!.url,
    "https://b.example/openai/deployments/b-dep/chat/completions?api-version=2024-10-21",
  );
  assert.equal(h.seen[3]!.headers.get("x-upstream-key"), "key-of-b", "each target gets its own credentials");
  assert.equal(h.seen[0]!.headers.get("x-upstream-key"), "key-of-a");
});

Deno.test("when every target fails the client gets the last upstream error, unchanged", async () => {
  const h = routingHarness([azure("a"), azure("b")], { a: err500, b: err500 }, {
    models: [both],
    routing: { retries: 0 },
  });
  const res = await h.call(chat);
  assert.equal(res.status, 500);
  assert.equal((await res.json()).error.message, "The server had an error");
  assert.equal(h.records[0]!.attempts, 2);
  assert.equal(h.records[0]!.upstream, "b");
});

Deno.test("a long Retry-After cools the target down and falls back at once", async () => {
  const rateLimited = () =>
    json(429, { error: { message: "quota" } }, {
      "retry-after": "20",
      "x-ratelimit-remaining-requests": "0",
    });
  const h = routingHarness([azure("a"), azure("b")], { a: rateLimited, b: () => chatOk("b") }, {
    models: [both],
  });
  assert.equal((await h.call(chat)).status, 200);
  assert.deepEqual(h.sleeps, []);
  assert.equal((await h.call(chat)).status, 200);
  assert.deepEqual(h.records[1]!.tried, [
    { upstream: "a", deployment: "a-dep", status: null, error: "cooling_down", ms: 0 },
    { upstream: "b", deployment: "b-dep", status: 200, error: null, ms: 0 },
  ]);
  assert.equal(h.records[1]!.attempts, 1);
  h.clock.t += 20_000;
  await h.call(chat);
  assert.equal(h.records[2]!.tried![0]!.status, 429, "tried again once the cooldown is over");
});

Deno.test("a short 429 falls back at once while another target is available", async () => {
  const h = routingHarness([azure("a"), azure("b")], {
    a: () => json(429, { error: { message: "busy" } }, { "retry-after-ms": "50" }),
    b: () => chatOk("b"),
  }, { models: [both] });
  assert.equal((await h.call(chat)).status, 200);
  assert.deepEqual(h.sleeps, []);
  assert.equal(h.records[0]!.attempts, 2);
});

Deno.test("all targets cooling down: 429 with Retry-After of the earliest one, nothing sent", async () => {
  const h = routingHarness([azure("a"), azure("b")], {
    a: () =>
      json(429, { error: { message: "a busy" } }, {
        "retry-after": "30",
        "x-ratelimit-reset-requests": "30s",
      }),
    b: () => json(429, { error: { message: "b busy" } }, { "retry-after": "12" }),
  }, { models: [both] });
  const first = await h.call(chat);
  assert.equal(first.status, 429, "the last upstream 429 passes through");
  assert.equal(first.headers.get("retry-after"), "12");
  assert.equal((await first.json()).error.message, "b busy");
  h.clock.t += 2000;
  const second = await h.call(chat);
  assert.equal(second.status, 429);
  assert.equal(second.headers.get("retry-after"), "10");
  const body = await second.json();
  assert.equal(body.error.code, "upstreams_unavailable");
  assert.equal(h.seen.length, 2);
  assert.equal(h.records[1]!.attempts, 0);
  assert.deepEqual(h.records[1]!.tried!.map((t) => t.error), ["cooling_down", "cooling_down"]);
});

Deno.test("the breaker opens after consecutive failures and recovers through one probe", async () => {
  let aHealthy = false;
  const h = routingHarness([azure("a"), azure("b")], {
    a: () => aHealthy ? chatOk("a") : err500(),
    b: () => chatOk("b"),
  }, { models: [both], routing: { retries: 0, breaker: { failures: 2, cooldownMs: 10_000 } } });
  for (let i = 0; i < 2; i++) assert.equal((await h.call(chat)).status, 200);
  assert.equal(h.seen.filter((s) => s.upstream === "a").length, 2);
  await h.call(chat);
  assert.deepEqual(h.records[2]!.tried!.map((t) => [t.upstream, t.error]), [["a", "breaker_open"], [
    "b",
    null,
  ]]);
  assert.equal(h.seen.filter((s) => s.upstream === "a").length, 2, "no call while open");
  h.clock.t += 10_000;
  aHealthy = true;
  const probe = await h.call(chat);
  assert.equal((await probe.json()).model, "a", "the half-open probe went to a");
  await h.call(chat);
  assert.equal(h.records[4]!.upstream, "a", "closed again");
});

Deno.test("a failed half-open probe opens the breaker for another cooldown", async () => {
  const h = routingHarness([azure("a"), azure("b")], { a: err500, b: () => chatOk("b") }, {
    models: [both],
    routing: { retries: 0, breaker: { failures: 1, cooldownMs: 1000 } },
  });
  await h.call(chat);
  h.clock.t += 1000;
  await h.call(chat);
  assert.deepEqual(h.records[1]!.tried!.map((t) => t.status), [500, 200], "probe sent, failed");
  await h.call(chat);
  assert.equal(h.records[2]!.tried![0]!.error, "breaker_open");
});

Deno.test("a connection reset before the first byte is retried, streaming or not", async (t) => {
  await t.step("stream", async () => {
    const sse = 'data: {"choices":[{"index":0,"delta":{"content":"ok"}}]}\n\ndata: [DONE]\n\n';
    const h = routingHarness([azure("a")], {
      a: (_r, n) =>
        n === 0
          ? resetBeforeFirstByte()
          : new Response(sse, { headers: { "content-type": "text/event-stream" } }),
    });
    const res = await h.call({ model: "a-model", stream: true, stream_options: { include_usage: true } });
    assert.equal(await res.text(), sse);
    assert.equal(h.records[0]!.attempts, 2);
    assert.match(h.records[0]!.tried![0]!.error!, /upstream_unreachable: .*connection reset/);
  });
  await t.step("not streaming", async () => {
    const broken = () =>
      new Response(new ReadableStream({ pull: (c) => c.error(new TypeError("connection reset")) }), {
        headers: { "content-type": "application/json" },
      });
    const h = routingHarness([azure("a")], { a: (_r, n) => n === 0 ? broken() : chatOk("a") });
    assert.equal((await h.call({ model: "a-model" })).status, 200);
    assert.equal(h.records[0]!.attempts, 2);
  });
});

Deno.test("a timeout before the response headers is retried", async () => {
  const h = routingHarness([azure("a")], {
    a: (_r, n) => n === 0 ? new Promise<Response>(() => {}) : chatOk("a"),
  });
  h.deps.config.upstreams[0]!.timeouts = { firstByteMs: 5, idleMs: 0, totalMs: 0 };
  assert.equal((await h.call({ model: "a-model" })).status, 200);
  assert.match(h.records[0]!.tried![0]!.error!, /upstream_timeout/);
});

Deno.test("client errors and 501 are not retried", async () => {
  for (const status of [400, 404, 501]) {
    const h = routingHarness([azure("a"), azure("b")], {
      a: () => json(status, { error: { message: "no" } }),
      b: () => chatOk("b"),
    }, { models: [both] });
    assert.equal((await h.call(chat)).status, status);
    assert.equal(h.records[0]!.attempts, 1, String(status));
  }
});

Deno.test("a client that leaves during the backoff ends the call as client_closed", async () => {
  const h = routingHarness([azure("a")], { a: err500 });
  h.deps.sleep = () =>
    Promise.reject(new GatewayError(499, "client_closed", "The client closed the connection"));
  await h.call({ model: "a-model" });
  assert.equal(h.records[0]!.status, "client_closed");
  assert.equal(h.records[0]!.attempts, 1);
});

Deno.test("targets that cannot serve the operation are skipped; none left is a 400", async () => {
  const h = routingHarness([azure("a")], { a: () => chatOk("a") });
  const claude = {
    kind: "anthropic" as const,
    name: "claude",
    endpoint: "https://claude.example",
    auth: { type: "api_key" as const, key: "env:X" },
    anthropicVersion: "2023-06-01",
    defaultMaxTokens: 100,
    headers: {},
    deployments: [{ name: "claude-x", model: "claude", aliases: [] }],
    timeouts: { firstByteMs: 0, idleMs: 0, totalMs: 0 },
  };
  const h2 = routingHarness([claude], { claude: () => json(200, {}) });
  const res = await h2.call({ model: "claude", input: ["x"] }, "/v1/embeddings");
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.code, "unsupported_operation");
  assert.equal(h2.seen.length, 0);
  assert.equal((await h.call({ model: "a-model" })).status, 200);
});

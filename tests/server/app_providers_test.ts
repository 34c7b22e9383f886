import assert from "node:assert/strict";
import type { Config } from "../../src/config/types.ts";
import { createApp } from "../../src/server/app.ts";
import { bodyBudgetOf, buildGeneration, type RuntimeOptions } from "../../src/server/runtime.ts";
import { CALLER_KEY, CALLER_SHA, post, testGeneration } from "../_helpers/app.ts";
import { configKeys } from "../_helpers/callers.ts";
import { azureUpstream, testConfig } from "../_helpers/config.ts";

function mixedConfig(): Config {
  const config = testConfig([
    azureUpstream("https://res.example"),
    {
      kind: "openai",
      name: "local",
      endpoint: "http://localhost:11434/v1",
      auth: { type: "none" },
      headers: { "x-title": "azmw" },
      streamUsage: true,
      deployments: [{ name: "llama3.1:8b", model: "llama", aliases: [] }],
      timeouts: { firstByteMs: 1000, idleMs: 1000, totalMs: 5000 },
    },
    {
      kind: "anthropic",
      name: "claude",
      endpoint: "https://api.anthropic.com",
      auth: { type: "api_key", key: "env:ANTHROPIC_KEY" },
      anthropicVersion: "2023-06-01",
      defaultMaxTokens: 4096,
      headers: {},
      deployments: [],
      timeouts: { firstByteMs: 1000, idleMs: 1000, totalMs: 5000 },
    },
  ]);
  config.auth.keys = [{ id: "dev", sha256: CALLER_SHA }];
  config.routing = {
    retries: 2,
    backoffMs: 0,
    maxBackoffMs: 5000,
    breaker: { failures: 5, cooldownMs: 1000 },
  };
  config.models = [{
    name: "smart",
    strategy: "priority",
    aliases: ["smart-latest"],
    targets: [
      { upstream: "claude", deployment: "claude-sonnet-4-5", weight: 1, priority: 0 },
      { upstream: "azure-test", deployment: "gpt-4o-prod", weight: 1, priority: 1 },
    ],
  }];
  return config;
}

const ENV: Record<string, string> = { TEST_UPSTREAM_KEY: "azure-secret", ANTHROPIC_KEY: "anthropic-secret" };

/** Whether the fetch of a generation built with `options` hands the global `fetch` a pooled client. */
async function sendsClient(options: RuntimeOptions): Promise<boolean> {
  const global = globalThis.fetch;
  let client = false;
  globalThis.fetch = (_url: string | URL | Request, init?: RequestInit) => {
    client = init !== undefined && "client" in init;
    return Promise.resolve(new Response(null));
  };
  try {
    const generation = await testGeneration(mixedConfig(), options);
    try {
      await generation.pipeline.fetch("https://res.example/x", {});
    } finally {
      generation.close();
    }
  } finally {
    globalThis.fetch = global;
  }
  return client;
}

Deno.test("buildGeneration() builds each provider's auth and a pooled fetch", async () => {
  const generation = await testGeneration(mixedConfig(), { env: (n) => ENV[n] });
  try {
    const apply = (name: string) => {
      const h = new Headers();
      generation.pipeline.upstreamAuth.get(name)!.apply(h);
      return Object.fromEntries(h);
    };
    assert.deepEqual(apply("azure-test"), { "api-key": "azure-secret" });
    assert.deepEqual(apply("local"), {});
    assert.deepEqual(apply("claude"), { "x-api-key": "anthropic-secret" });
    assert.equal(typeof generation.pipeline.fetch, "function");
  } finally {
    generation.close();
  }
  assert.equal(await sendsClient({ env: (n) => ENV[n] }), true, "the upstream's pooled client");
  assert.equal(
    await sendsClient({ env: (n) => ENV[n], pool: false }),
    false,
    "pool: false: the global fetch",
  );
});

Deno.test("createApp() lists models entries first and falls back across providers", async () => {
  const generation = await testGeneration(mixedConfig(), { env: (n) => ENV[n], pool: false });
  const calls: string[] = [];
  const app = createApp({
    pipeline: {
      ...generation.pipeline,
      fetch: (url) => {
        calls.push(url);
        if (url.startsWith("https://api.anthropic.com")) {
          return Promise.resolve(
            new Response('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', {
              status: 529,
              headers: { "content-type": "application/json" },
            }),
          );
        }
        return Promise.resolve(
          new Response(
            JSON.stringify({
              id: "c",
              object: "chat.completion",
              model: "gpt-4o",
              choices: [{ index: 0, message: { role: "assistant", content: "Hi" }, finish_reason: "stop" }],
              usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
            }),
            { headers: { "content-type": "application/json" } },
          ),
        );
      },
    },
  });
  const models = await app(
    new Request("http://gw/v1/models", { headers: { authorization: `Bearer ${CALLER_KEY}` } }),
  );
  assert.deepEqual(
    (await models.json()).data.map((m: { id: string; owned_by: string }) => [m.id, m.owned_by]),
    [
      ["smart", "claude"],
      ["smart-latest", "claude"],
      ["gpt-4o", "azure-test"],
      ["gpt-4o-latest", "azure-test"],
      ["text-embedding-3-small", "azure-test"],
      ["llama", "local"],
    ],
  );
  const health = await (await app(new Request("http://gw/health"), {
    remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
  })).json();
  assert.deepEqual(
    health.upstreams.map((
      u: { name: string; kind: string; auth: string; ready: boolean },
    ) => [u.name, u.kind, u.auth, u.ready]),
    [
      ["azure-test", "azure", "api_key", true],
      ["local", "openai", "none", true],
      ["claude", "anthropic", "api_key", true],
    ],
  );
  const anthropic = await app(post("/v1/messages", { model: "smart", max_tokens: 5, messages: [] }));
  assert.equal(anthropic.status, 200);
  assert.equal(
    (await anthropic.json()).type,
    "message",
    "Azure's answer, translated for the Anthropic client",
  );
  assert.equal(
    calls.filter((u) => u.startsWith("https://api.anthropic.com")).length,
    3,
    "1 + 2 retries on claude",
  );
});

Deno.test("buildGeneration() uses the gateway's body budget when given one, else its own from the config", async () => {
  const shutdown = new AbortController().signal;
  const shared = bodyBudgetOf(mixedConfig(), shutdown);
  const alone = { callers: configKeys(), sinks: [], shutdown };
  const parts = { ...alone, bodyBudget: shared };
  const options = { env: (n: string) => ENV[n], pool: false };
  const [a, b, own] = await Promise.all([
    buildGeneration(mixedConfig(), parts, options),
    buildGeneration(mixedConfig(), parts, options),
    buildGeneration(mixedConfig(), alone, options),
  ]);
  // Two generations of one gateway (a reload) hand out the same room; one built alone has its own.
  assert.equal(a.pipeline.bodyBudget, shared);
  assert.equal(b.pipeline.bodyBudget, shared);
  assert.notEqual(own.pipeline.bodyBudget, shared);
  assert.equal(own.pipeline.bodyBudget?.maxBytes, mixedConfig().server.maxBufferedBodyBytes);
});

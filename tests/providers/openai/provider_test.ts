import assert from "node:assert/strict";
import type { OpenAIUpstreamConfig } from "../../../src/config/types.ts";
import { providerOf } from "../../../src/providers/registry.ts";
import { planInput, ROUTES } from "../_plan.ts";

const upstream: OpenAIUpstreamConfig = {
  kind: "openai",
  name: "ollama",
  endpoint: "http://gpu-box:11434/v1",
  auth: { type: "none" },
  headers: { "http-referer": "https://example.com", "x-title": "azmw" },
  streamUsage: true,
  deployments: [{ name: "llama3.1:8b", model: "llama", aliases: [] }],
  timeouts: { firstByteMs: 1000, idleMs: 1000, totalMs: 1000 },
};
const provider = providerOf(upstream);

Deno.test("openai provider sends the client's bytes unchanged when the model id already matches", () => {
  const text = '{ "model": "llama3.1:8b", "messages": [] }';
  const input = planInput(upstream, ROUTES.chat, text);
  const plan = provider.plan(input);
  assert.equal(plan.url, "http://gpu-box:11434/v1/chat/completions");
  assert.equal(plan.body, input.bytes, "same bytes, no re-serialisation");
  assert.equal(plan.translator, null);
  assert.equal(input.headers.get("x-title"), "azmw");
});

Deno.test("openai provider sets the target's model id and asks for stream usage", () => {
  const plan = provider.plan(
    planInput(upstream, ROUTES.chat, '{"model":"llama","stream":true,"messages":[]}'),
  );
  assert.deepEqual(JSON.parse(plan.body as string), {
    model: "llama3.1:8b",
    stream: true,
    messages: [],
    stream_options: { include_usage: true },
  });
  assert.equal(plan.injectedUsage, true);
  const quiet = { ...upstream, streamUsage: false };
  const p2 = provider.plan(planInput(quiet, ROUTES.chat, '{"model":"llama3.1:8b","stream":true}'));
  assert.equal(p2.injectedUsage, false);
});

Deno.test("openai provider maps an Azure deployment route to the plain path, without api-version", () => {
  const input = planInput(upstream, ROUTES.deploymentChat, '{"messages":[]}');
  input.search = "?api-version=2024-10-21";
  const plan = provider.plan(input);
  assert.equal(plan.url, "http://gpu-box:11434/v1/chat/completions");
  assert.equal(JSON.parse(plan.body as string).model, "llama3.1:8b");
  assert.equal(
    provider.plan(planInput(upstream, ROUTES.embeddings, '{"model":"x"}')).url,
    "http://gpu-box:11434/v1/embeddings",
  );
});

Deno.test("openai provider serves Anthropic Messages clients through chat completions", () => {
  const input = planInput(
    upstream,
    ROUTES.messages,
    '{"model":"llama","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Hi"}]}',
    { "anthropic-version": "2023-06-01", "anthropic-beta": "x" },
  );
  const plan = provider.plan(input);
  assert.equal(plan.url, "http://gpu-box:11434/v1/chat/completions");
  assert.deepEqual(JSON.parse(plan.body as string), {
    model: "llama3.1:8b",
    messages: [{ role: "user", content: "Hi" }],
    max_tokens: 64,
    stream: true,
    stream_options: { include_usage: true },
  });
  assert.equal(plan.upstreamOperation, "chat");
  assert.equal(plan.injectedUsage, false, "the translator consumes the usage chunk");
  assert.ok(plan.translator);
  assert.equal(input.headers.has("anthropic-version"), false);
});

Deno.test("openai provider auth: bearer key or none", async () => {
  const secret = (ref: string) => Promise.resolve(ref === "env:K" ? "sk-test" : "");
  const none = await provider.createAuth(upstream, { secret, path: "upstreams[0].auth" });
  const h1 = new Headers();
  none.apply(h1);
  assert.equal([...h1].length, 0);
  const bearer = await provider.createAuth({ ...upstream, auth: { type: "bearer", key: "env:K" } }, {
    secret,
    path: "upstreams[0].auth",
  });
  const h2 = new Headers();
  bearer.apply(h2);
  assert.equal(h2.get("authorization"), "Bearer sk-test");
  assert.equal(bearer.status().ok, true);
});

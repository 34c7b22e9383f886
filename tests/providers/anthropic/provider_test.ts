import assert from "node:assert/strict";
import type { AnthropicUpstreamConfig } from "../../../src/config/types.ts";
import { providerOf } from "../../../src/providers/registry.ts";
import { planInput, ROUTES } from "../_plan.ts";

const upstream: AnthropicUpstreamConfig = {
  kind: "anthropic",
  name: "claude",
  endpoint: "https://api.anthropic.com",
  auth: { type: "api_key", key: "env:A" },
  anthropicVersion: "2023-06-01",
  defaultMaxTokens: 4096,
  headers: { "anthropic-beta": "prompt-caching-2024-07-31" },
  deployments: [{ name: "claude-sonnet-4-5", model: "claude", aliases: [] }],
  timeouts: { firstByteMs: 1000, idleMs: 1000, totalMs: 1000 },
};
const provider = providerOf(upstream);

Deno.test("anthropic provider passes Messages requests through byte for byte", () => {
  const text = '{"model":"claude-sonnet-4-5", "max_tokens":5,"messages":[]}';
  const input = planInput(upstream, ROUTES.messages, text, { "anthropic-version": "2026-10-21" });
  const plan = provider.plan(input);
  assert.equal(plan.url, "https://api.anthropic.com/v1/messages");
  assert.equal(plan.body, input.bytes);
  assert.equal(plan.translator, null);
  assert.equal(input.headers.get("anthropic-version"), "2026-10-21", "the client's version wins");
  assert.equal(input.headers.get("anthropic-beta"), "prompt-caching-2024-07-31");
  const other = planInput(upstream, ROUTES.messages, '{"model":"claude","max_tokens":5,"messages":[]}');
  const p2 = provider.plan(other);
  assert.equal(JSON.parse(p2.body as string).model, "claude-sonnet-4-5", "public name → model id");
  assert.equal(other.headers.get("anthropic-version"), "2023-06-01", "configured default");
});

Deno.test("anthropic provider translates chat completions requests and answers", () => {
  const input = planInput(
    upstream,
    ROUTES.chat,
    '{"model":"claude","messages":[{"role":"user","content":"Hi"}],"stream":true,"stream_options":{"include_usage":true}}',
    { "anthropic-version": "2099-01-01" },
  );
  const plan = provider.plan(input);
  assert.deepEqual(JSON.parse(plan.body as string), {
    model: "claude-sonnet-4-5",
    max_tokens: 4096,
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
  });
  assert.equal(input.headers.get("anthropic-version"), "2023-06-01");
  assert.equal(plan.upstreamOperation, "messages");
  const chat = plan.translator!.response({
    id: "m",
    content: [{ type: "text", text: "Yo" }],
    stop_reason: "end_turn",
  });
  assert.equal(chat.created, 1_754_049_351);
  assert.equal(provider.operations.has("embeddings"), false);
});

Deno.test("anthropic provider auth sends x-api-key", async () => {
  const auth = await provider.createAuth(upstream, {
    secret: (ref, path) => Promise.resolve(`${ref}@${path}`),
    path: "upstreams[2].auth",
  });
  const h = new Headers();
  auth.apply(h);
  assert.equal(h.get("x-api-key"), "env:A@upstreams[2].auth.key");
});

import assert from "node:assert/strict";
import { checkPolicy, type PolicyRequest } from "../../src/governance/check.ts";
import { estimateTokens } from "../../src/governance/estimate.ts";
import { matchGlob, resolvePolicy } from "../../src/governance/policy.ts";
import { GatewayError } from "../../src/core/errors.ts";

Deno.test("resolvePolicy() narrows defaults by project and key, keeping limits per scope", () => {
  const p = resolvePolicy({
    defaults: { models: ["gpt-*", "text-*"], maxTokens: 4000, rpm: 100, dailyCostEur: 50 },
    project: {
      name: "demo",
      policy: { models: ["gpt-4o*"], maxBodyBytes: 1000, rpm: 30, tpm: 9000, dailyCostEur: 20 },
    },
    subject: { scope: "key:k1", policy: { maxTokens: 500, operations: ["chat"], tpm: 1000 } },
  });
  assert.deepEqual(p.models, [["gpt-*", "text-*"], ["gpt-4o*"]]);
  assert.deepEqual(p.operations, [["chat"]]);
  assert.deepEqual([p.maxTokens, p.maxBodyBytes, p.dailyCostEur], [500, 1000, 20]);
  assert.deepEqual(p.scopes, [
    { id: "project:demo", rpm: 30, tpm: 9000, dailyCostEur: 20 },
    { id: "key:k1", rpm: 100, tpm: 1000, dailyCostEur: 50 },
  ]);
  assert.ok(Object.isFrozen(p) && Object.isFrozen(p.scopes));
  const open = resolvePolicy({ subject: { scope: "token:t", policy: {} } });
  assert.deepEqual(open, {
    models: [],
    operations: [],
    maxTokens: null,
    maxBodyBytes: null,
    dailyCostEur: null,
    scopes: [],
  });
});

Deno.test("matchGlob() matches * and ? and nothing else specially", () => {
  assert.ok(matchGlob("gpt-4o*", "gpt-4o-mini"));
  assert.ok(matchGlob("gpt-4?", "gpt-4o"));
  assert.ok(!matchGlob("gpt-4?", "gpt-4o-mini"));
  assert.ok(matchGlob("*", "anything"));
  assert.ok(!matchGlob("gpt.4", "gpt-4"), "a dot is literal");
  assert.ok(!matchGlob("GPT-4o", "gpt-4o"), "case-sensitive");
});

Deno.test("checkPolicy() refuses what the policy does not allow", async (t) => {
  const caller = {
    policy: resolvePolicy({
      project: { name: "demo", policy: { models: ["gpt-4o*"], maxBodyBytes: 100 } },
      subject: { scope: "key:k", policy: { operations: ["chat", "embeddings"], maxTokens: 50 } },
    }),
  };
  const req: PolicyRequest = {
    operation: "chat",
    model: "gpt-4o-mini",
    body: { max_tokens: 50 },
    bodyBytes: 100,
  };
  const fails = (over: Partial<PolicyRequest>, status: number, code: string, param: string | null) => {
    assert.throws(
      () => checkPolicy(caller, { ...req, ...over }),
      (e) => e instanceof GatewayError && e.status === status && e.code === code && e.param === param,
    );
  };
  await t.step("an allowed request passes", () => checkPolicy(caller, req));
  await t.step("body too large is 413", () => fails({ bodyBytes: 101 }, 413, "body_too_large", null));
  await t.step("operation", () => fails({ operation: "responses" }, 403, "operation_not_allowed", null));
  await t.step("model", () => fails({ model: "gpt-4.1" }, 403, "model_not_allowed", "model"));
  await t.step("no model named", () => fails({ model: null }, 403, "model_not_allowed", "model"));
  await t.step("max tokens under every name", () => {
    fails({ body: { max_tokens: 51 } }, 403, "max_tokens_exceeded", "max_tokens");
    fails({ body: { max_completion_tokens: 51 } }, 403, "max_tokens_exceeded", "max_completion_tokens");
    fails({ body: { max_output_tokens: 51 } }, 403, "max_tokens_exceeded", "max_output_tokens");
  });
  await t.step("an open policy allows everything", () => {
    checkPolicy({ policy: resolvePolicy({ subject: { scope: "x", policy: {} } }) }, {
      ...req,
      model: undefined,
      bodyBytes: 1e9,
    });
  });
});

Deno.test("estimateTokens() counts prompt text and the requested output", () => {
  const chat = estimateTokens({
    model: "gpt-4o",
    messages: [{ role: "user", content: "x".repeat(400) }, {
      role: "system",
      content: [{ type: "text", text: "abcd" }],
    }],
    max_tokens: 100,
  });
  // 418 characters of text (roles included) at four a token.
  assert.deepEqual(chat, { prompt: 105, output: 100, total: 205 });
  assert.deepEqual(estimateTokens({ input: "abcdefgh", max_output_tokens: 7 }), {
    prompt: 2,
    output: 7,
    total: 9,
  });
  assert.deepEqual(estimateTokens({ prompt: "abcd" }, { defaultMaxTokens: 16 }), {
    prompt: 1,
    output: 16,
    total: 17,
  });
  assert.deepEqual(estimateTokens(null), { prompt: 0, output: 0, total: 0 });
});

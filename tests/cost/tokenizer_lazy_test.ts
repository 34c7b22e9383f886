/** Its own module: the tokenizer is loaded once per process, and no other test here loads it first. */
import assert from "node:assert/strict";
import { createCostControl } from "../../src/cost/control.ts";
import { loadTokenizer, tokenizerReady, tokenizerRequested } from "../../src/cost/estimate.ts";
import { caller, callRecord, costConfig, FLAT_PRICING, NOW } from "./_util.ts";

Deno.test("the tokenizer loads on the first call that needs an estimate, not when cost control starts", async () => {
  const cost = createCostControl(costConfig({ pricing: FLAT_PRICING }), { now: () => NOW });
  // Only loadTokenizer() starts the load, so whether anything asked for it is known without waiting.
  assert.equal(tokenizerRequested(), false, "nothing asked for an estimate yet");
  assert.equal(tokenizerReady(), false);
  const body = { messages: [{ role: "user", content: "abcd" }] };
  const reported = callRecord({
    usage: {
      promptTokens: 1,
      completionTokens: 1,
      cachedTokens: 0,
      reasoningTokens: 0,
      totalTokens: 2,
      cacheWriteTokens: 0,
    },
  });
  cost.admit(caller(), { model: "m", body, operation: "chat" }).settle(reported);
  assert.equal(tokenizerRequested(), false, "a call with reported usage needs no tokenizer");
  assert.equal(tokenizerReady(), false);
  const cut = callRecord({ usage: null, usageSource: null });
  const first = cost.admit(caller(), { model: "m", body, operation: "chat" }).settle(cut);
  assert.equal(first.estimated, true);
  assert.equal(tokenizerRequested(), true, "the first estimate asks for the tokenizer");
  await loadTokenizer();
  assert.equal(tokenizerReady(), true, "the first estimate started the load");
});

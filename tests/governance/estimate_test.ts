import assert from "node:assert/strict";
import { promptTokens } from "../../src/cost/estimate.ts";
import { estimateTokens, promptText } from "../../src/governance/estimate.ts";

const IMAGE = {
  messages: [{
    role: "user",
    content: [{ type: "text", text: "abcdefgh" }, {
      type: "image_url",
      image_url: { url: `data:image/png;base64,${"A".repeat(4000)}` },
    }],
  }],
};

Deno.test("estimateTokens() skips data: URLs like the cost estimate does", () => {
  // "user", "text", "abcdefgh" and "image_url": 25 characters; the 4 KB image is no text.
  assert.equal(estimateTokens(IMAGE).prompt, 7);
  assert.deepEqual(promptText(IMAGE).texts, ["abcdefgh"]);
  assert.equal(promptTokens(IMAGE) < 20, true);
});

Deno.test("promptText() counts token arrays one per number and structural values only when asked", () => {
  assert.deepEqual(promptText({ input: [[1, 2, 3], [4]] }), { texts: [], tokens: 4 });
  assert.deepEqual(promptText({ messages: [{ role: "user", content: "hi" }] }, { structural: true }).texts, [
    "user",
    "hi",
  ]);
});

import assert from "node:assert/strict";
import {
  admissionUsage,
  countTokens,
  estimateUsage,
  loadTokenizer,
  outputTokens,
  promptTokens,
  tokenizerReady,
} from "../../src/cost/estimate.ts";
import { nextDayStart, secondsUntilDayEnd } from "../../src/cost/day_end.ts";
import { DayClock } from "../../src/logs/day.ts";

Deno.test("estimates count with gpt-tokenizer once it has loaded", async () => {
  await loadTokenizer();
  assert.ok(tokenizerReady());
  assert.equal(countTokens(""), 0);
  assert.equal(countTokens("Hello, world!"), 4);
  const body = {
    model: "gpt-4o",
    messages: [
      { role: "system", content: "You are terse." },
      {
        role: "user",
        content: [{ type: "text", text: "Hello, world!" }, {
          type: "image_url",
          image_url: { url: "data:image/png;base64,AAAA" },
        }],
      },
    ],
  };
  // Text tokens (roles and types are structure) + 3 per message + 3 reply priming; inline data skipped.
  const text = countTokens("You are terse.\nHello, world!");
  assert.equal(promptTokens(body), text + 2 * 3 + 3);
  assert.equal(
    outputTokens({
      content: "Hi",
      toolCalls: [{ id: "c", type: "function", name: "f", arguments: "{}" }],
      events: 2,
    }),
    countTokens("Hi\nf\n{}"),
  );
  const embeddings = estimateUsage({ input: [[1, 2, 3], [4, 5]] }, null);
  assert.deepEqual(embeddings, {
    promptTokens: 5,
    completionTokens: 0,
    cachedTokens: 0,
    reasoningTokens: 0,
    totalTokens: 5,
    cacheWriteTokens: 0,
  });
});

Deno.test("admissionUsage() reserves the requested or default output; embeddings none", () => {
  const body = { messages: [{ role: "user", content: "x".repeat(40) }] };
  assert.equal(admissionUsage(body, { operation: "chat", defaultMaxTokens: 100 }).completionTokens, 100);
  assert.equal(
    admissionUsage({ ...body, max_completion_tokens: 7 }, { operation: "chat", defaultMaxTokens: 100 })
      .completionTokens,
    7,
  );
  assert.equal(
    admissionUsage({ input: "x" }, { operation: "embeddings", defaultMaxTokens: 100 }).completionTokens,
    0,
  );
  assert.equal(admissionUsage(null, { operation: "chat", defaultMaxTokens: 100 }).promptTokens, 0);
});

Deno.test("secondsUntilDayEnd() follows the time zone, daylight saving included", () => {
  const berlin = new DayClock("Europe/Berlin");
  const dayOf = (ms: number) => berlin.dayOf(ms);
  // 2026-10-24 23:00 UTC is 01:00 on the 25th in Berlin; that day has 25 hours (clocks go back at 03:00).
  const t = Date.UTC(2026, 9, 24, 23, 0, 0);
  assert.equal(nextDayStart(t, dayOf), Date.UTC(2026, 9, 25, 23, 0, 0));
  assert.equal(secondsUntilDayEnd(t, dayOf), 24 * 3600);
  assert.equal(secondsUntilDayEnd(Date.UTC(2026, 10, 25, 22, 59, 59, 500), dayOf), 1);
  const utc = new DayClock("UTC");
  assert.equal(secondsUntilDayEnd(Date.UTC(2026, 10, 25, 12), (ms) => utc.dayOf(ms)), 12 * 3600);
});

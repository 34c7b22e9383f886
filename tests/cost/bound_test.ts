import assert from "node:assert/strict";
import {
  choicesOf,
  IMAGE_TOKENS,
  maxField,
  promptBound,
  requestedMax,
  utf8Length,
} from "../../src/cost/bound.ts";
import { PriceTable } from "../../src/cost/pricing.ts";
import { planReservation } from "../../src/cost/reserve.ts";
import { bodyOf } from "../../src/cost/served.ts";
import { callRecord } from "./_util.ts";

Deno.test("utf8Length() counts UTF-8 bytes: ASCII 1, Latin 2, CJK 3, astral 4", () => {
  for (const s of ["abc", "é", "漢字", "😀", "a😀é漢", "\udc00", ""]) {
    assert.equal(utf8Length(s), new TextEncoder().encode(s).byteLength, JSON.stringify(s));
  }
});

Deno.test("promptBound() bounds text by bytes and counts images, tools and token arrays", () => {
  const text = { messages: [{ role: "user", content: "漢字" }] };
  // 16 base + message object 4 + "user" 4 + 6 bytes
  assert.equal(promptBound(text), 30);
  const image = {
    messages: [{
      role: "user",
      content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }],
    }],
  };
  assert.equal(promptBound(image), 16 + 4 + 4 + 4 + IMAGE_TOKENS);
  assert.equal(promptBound(image, "gpt-4o-mini-2024-07-18"), 16 + 4 + 4 + 4 + 50_000);
  assert.equal(promptBound({ tools: [{}], messages: [] }), 16 + 1000 + 4);
  assert.equal(promptBound({ input: [1, 2, 3] }), 16 + 3, "a token array counts one per number");
  assert.equal(
    promptBound({ max_tokens: 5, stream: true, model: "x" }),
    16,
    "numbers and flags are not text",
  );
  assert.equal(promptBound(null), 0);
  let deep: unknown = "x";
  for (let i = 0; i < 70; i++) deep = [deep];
  assert.ok(promptBound({ input: deep }) >= 17, "very deep bodies count their JSON bytes");
});

Deno.test("requestedMax(), choicesOf() and maxField() read the body as each API names it", () => {
  assert.equal(requestedMax({ max_completion_tokens: 10.2 }), 11);
  assert.equal(requestedMax({ max_output_tokens: 7 }), 7);
  assert.equal(requestedMax({ max_tokens: -1 }), null);
  assert.equal(requestedMax(undefined), null);
  assert.equal(choicesOf({ n: 3 }), 3);
  assert.equal(choicesOf({ n: 2, best_of: 5 }), 5);
  assert.equal(choicesOf({ n: 0 }), 1);
  assert.equal(choicesOf(null), 1);
  assert.equal(maxField("embeddings", ["x"]), null);
  assert.equal(maxField("responses", ["gpt-4o"]), "max_output_tokens");
  assert.equal(maxField("chat", ["gpt-4o", "o3"]), "max_completion_tokens");
  assert.equal(maxField("chat", ["gpt-4o"]), "max_tokens");
  assert.equal(maxField("messages", ["claude-sonnet-4-5"]), "max_tokens");
  assert.equal(maxField("completions", ["gpt-35-turbo-instruct"]), "max_tokens");
});

Deno.test("planReservation() prices caching bodies at the cache-write price and bounds output by the share", () => {
  const prices = new PriceTable({
    currency: "EUR",
    defaults: false,
    models: { c: { input: 1000, output: 1000, cacheWrite: 1250, cacheWrite1h: 2000 } },
    fallback: { input: 1, output: 1 },
  });
  const settings = { defaultMaxOutput: 4096, share: 0.01, minOutput: 16, enforce: true };
  const plan = (body: Record<string, unknown>, headroom: number | null) =>
    planReservation({ model: "c", operation: "messages", body }, { prices, settings, headroom });
  const system = [{ type: "text", text: "abcd", cache_control: { type: "ephemeral" } }];
  const base = plan({ system, max_tokens: 0 }, null);
  const hour = plan({
    system: [{ ...system[0], cache_control: { type: "ephemeral", ttl: "1h" } }],
    max_tokens: 0,
  }, null);
  assert.equal(base.eur, (base.usage.promptTokens * 1250) / 1e6, "5-minute writes");
  assert.equal(hour.eur, (hour.usage.promptTokens * 2000) / 1e6, "1-hour writes");
  const free = plan({ messages: [] }, null);
  assert.equal(free.perChoice, 4096);
  assert.equal(free.set, null, "no cap: the upstream's maximum is left alone");
  const capped = plan({ messages: [] }, 1);
  // 1% of (€1 − 16 prompt tokens at €0.001) = €0.00984 → 9 tokens, below the floor of 16
  assert.equal(capped.perChoice, 16);
  assert.deepEqual(capped.set, { max_tokens: 16 });
  const tight = plan({ messages: [] }, 0.025);
  assert.equal(tight.perChoice, 9, "never more than what is left (€0.025 − €0.016 of prompt)");
  assert.equal(plan({ messages: [] }, 0.001).perChoice, 1, "at least one token; the cap check refuses it");
  const standard = plan({ messages: [], max_tokens: 10, service_tier: "standard" }, null);
  const priority = plan({ messages: [], max_tokens: 10, service_tier: "priority" }, null);
  assert.equal(
    priority.eur,
    standard.eur * 2.5,
    "a priority call reserves at the tier (2.5 × when unpriced)",
  );
});

Deno.test("bodyOf() parses a record's request body, null for anything but a JSON object", () => {
  const enc = (s: string) => new TextEncoder().encode(s) as Uint8Array<ArrayBuffer>;
  assert.deepEqual(bodyOf(callRecord({ requestBody: enc('{"a":1}') })), { a: 1 });
  assert.equal(bodyOf(callRecord({ requestBody: enc("[1]") })), null);
  assert.equal(bodyOf(callRecord({ requestBody: enc("{") })), null);
  assert.equal(bodyOf(callRecord({ requestBody: null })), null);
});

Deno.test("utf8Length() agrees with TextEncoder on long mixed text", () => {
  const s = "aé漢😀".repeat(500);
  assert.equal(utf8Length(s), new TextEncoder().encode(s).byteLength);
});

Deno.test("utf8Length() measures strings over a million units too", () => {
  const s = "é".repeat((1 << 20) + 1);
  assert.equal(utf8Length(s), 2 * s.length);
});

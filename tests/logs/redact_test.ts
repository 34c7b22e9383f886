import assert from "node:assert/strict";
import type { RedactConfig } from "../../src/config/types.ts";
import { jsonStrings, parseJsonPath, Redactor } from "../../src/logs/redact.ts";
import { countDigits, hasKeyRun, ibanValid, luhnValid } from "../../src/logs/redact_patterns.ts";

const ALL: RedactConfig = {
  builtin: ["email", "phone", "iban", "credit_card", "api_key"],
  rules: [],
  dropPaths: [],
};

function redact(text: string, config: Partial<RedactConfig> = {}, secrets: string[] = []) {
  return new Redactor({ ...ALL, ...config }, { secrets }).text(text);
}

Deno.test("Redactor.text() removes built-in patterns", async (t) => {
  const cases: [string, string, string][] = [
    ["email", "mail jane.doe+x@example.co.uk now", "mail [EMAIL] now"],
    ["international phone", "call +49 30 1234567 today", "call [PHONE] today"],
    ["phone with 00", "call 0044 20 7946 0958", "call [PHONE]"],
    ["NANP phone", "(555) 123-4567 or 555.123.4567", "[PHONE] or [PHONE]"],
    ["IBAN grouped", "pay DE89 3704 0044 0532 0130 00 please", "pay [IBAN] please"],
    ["IBAN compact", "GB29NWBK60161331926819", "[IBAN]"],
    ["Visa with spaces", "card 4111 1111 1111 1111 exp", "card [CARD] exp"],
    ["Mastercard with dashes", "5500-0000-0000-0004", "[CARD]"],
    ["OpenAI key", "key sk-proj-abcdefghijklmnopqrstuvwx123", "key [API_KEY]"],
    ["Anthropic key", "sk-ant-api03-abcdefghijklmnopqrstuvwxyz", "[API_KEY]"],
    ["azmw key", "azmw_AbCdEfGhIjKlMnOpQrStUvWxYz012345", "[API_KEY]"],
    ["AWS key", "AKIAIOSFODNN7EXAMPLE", "[API_KEY]"],
    ["Azure key", "api-key: 0123456789abcdef0123456789abcdef", "api-key: [API_KEY]"],
    ["bearer", "Authorization: Bearer abc.def-ghi_jkl123456", "Authorization: Bearer [API_KEY]"],
    ["JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlLXZhbHVl", "[API_KEY]"],
    ["base64 key", "k=q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=", "k=[API_KEY]"],
  ];
  for (const [name, input, output] of cases) {
    await t.step(name, () => assert.equal(redact(input), output));
  }
});

Deno.test("Redactor.text() leaves look-alikes alone", async (t) => {
  const cases: [string, string][] = [
    ["a date", "api-version 2024-10-21"],
    ["a number failing Luhn", "order 4111 1111 1111 1112"],
    ["an IBAN failing its checksum", "GB29NWBK60161331926818"],
    ["short numbers", "it costs 1234 EUR, 12 tokens"],
    ["a path", "/usr/local/share/azmw/some/long/path/to/a/file1.txt"],
    ["words", "the quick brown fox jumps over the lazy dog"],
    ["a UUID", "id 123e4567-e89b-12d3-a456-426614174000"],
  ];
  for (const [name, input] of cases) {
    await t.step(name, () => assert.equal(redact(input), input));
  }
});

Deno.test("Redactor applies only the chosen built-ins", () => {
  assert.equal(redact("a@b.de +49 30 1234567", { builtin: ["phone"] }), "a@b.de [PHONE]");
  assert.equal(redact("a@b.de", { builtin: [] }), "a@b.de");
});

Deno.test("Redactor applies custom rules after the built-ins", () => {
  const rules = [
    { pattern: "ACME-\\d+", flags: "", replacement: "[CUSTOMER]" },
    { pattern: "project (\\w+)", flags: "i", replacement: "project $1-x" },
  ];
  assert.equal(redact("ACME-42 and Project Apollo", { rules }), "[CUSTOMER] and project Apollo-x");
  assert.equal(redact("acme-42", { rules }), "acme-42");
});

Deno.test("Redactor removes known secrets everywhere, even in metadata", () => {
  const r = new Redactor({ ...ALL, builtin: [] }, { secrets: ["upstream-secret-1234", "short"] });
  assert.equal(r.text("x upstream-secret-1234 y"), "x [SECRET] y");
  assert.equal(r.secrets("failed with upstream-secret-1234"), "failed with [SECRET]");
  assert.equal(r.text("short"), "short", "secrets under 8 characters are ignored");
});

Deno.test("Redactor.json() drops paths and redacts every string", () => {
  const r = new Redactor({ ...ALL, dropPaths: ["messages[*].content", "$.user", "metadata.*", "input[1]"] });
  const body = {
    model: "gpt-4o",
    user: "jane",
    messages: [{ role: "system", content: "secret" }, { role: "user", content: [{ type: "text" }] }],
    metadata: { a: 1, b: { c: 2 } },
    input: ["keep", "drop", "mail a@b.de"],
    tools: [{ description: "Reach me at a@b.de", nested: [["x@y.org"]] }],
    n: 3,
  };
  assert.deepEqual(r.json(body), {
    model: "gpt-4o",
    user: "[dropped]",
    messages: [{ role: "system", content: "[dropped]" }, { role: "user", content: "[dropped]" }],
    metadata: { a: "[dropped]", b: "[dropped]" },
    input: ["keep", "[dropped]", "mail [EMAIL]"],
    tools: [{ description: "Reach me at [EMAIL]", nested: [["[EMAIL]"]] }],
    n: 3,
  });
  assert.equal(r.json("a@b.de"), "[EMAIL]");
  assert.equal(r.json(null), null);
});

Deno.test("Redactor.json() redacts object keys too, keeping every value and the keys' order", () => {
  const secret = "upstream-secret-0123456789";
  const r = new Redactor(ALL, { secrets: [secret] });
  const body = JSON.parse(
    `{"a":1,"${secret}":2,"jane@example.com":3,"joe@example.com":{"x@y.org":4},"[EMAIL]":5,"__proto__":6}`,
  );
  const out = r.json(body) as Record<string, unknown>;
  assert.equal(
    JSON.stringify(out),
    '{"a":1,"[SECRET]":2,"[EMAIL]":3,"[EMAIL] (2)":{"[EMAIL]":4},"[EMAIL] (3)":5,"__proto__":6}',
  );
  assert.equal(Object.getPrototypeOf(out), Object.prototype, "a key __proto__ stays a key");
  // A hostile body: 50,000 keys that all redact alike (numbering them stays linear).
  const many: Record<string, number> = {};
  for (let i = 0; i < 50_000; i++) many[`u${i}@example.com`] = i;
  const renamed = Object.entries(
    new Redactor(ALL, { budgetMs: 60_000 }).json(many) as Record<string, number>,
  );
  assert.equal(renamed.length, 50_000);
  assert.deepEqual(renamed.at(-1), ["[EMAIL] (50000)", 49_999]);
  const plain = { a: { b: "c" } };
  assert.equal(r.json(plain), plain);
  assert.deepEqual(plain, { a: { b: "c" } });
});

Deno.test("parseJsonPath() reads the path forms", () => {
  assert.deepEqual(parseJsonPath("messages[*].content"), ["messages", "*", "content"]);
  assert.deepEqual(parseJsonPath("$.user"), ["user"]);
  assert.deepEqual(parseJsonPath("input[0].x.*"), ["input", 0, "x", "*"]);
  for (const bad of ["", "$", "a..b", "a[x]", "a b"]) {
    assert.throws(() => parseJsonPath(bad), TypeError, bad);
  }
});

Deno.test("luhnValid() and ibanValid() check digits", () => {
  assert.ok(luhnValid("4111111111111111"));
  assert.ok(!luhnValid("4111111111111112"));
  assert.ok(!luhnValid(""));
  assert.ok(ibanValid("DE89 3704 0044 0532 0130 00"));
  assert.ok(ibanValid("gb29nwbk60161331926819"));
  assert.ok(!ibanValid("DE89370400440532013001"));
  assert.ok(!ibanValid("DE89"));
});

Deno.test("Redactor.text() skips number patterns only where too few digits could match", () => {
  assert.equal(countDigits("a1b22 c333"), 6);
  assert.equal(countDigits("none"), 0);
  assert.equal(countDigits("a1b22 c333", 4), 4, "counted up to enough");
  const r = new Redactor({
    builtin: ["api_key", "email", "iban", "credit_card", "phone"],
    rules: [],
    dropPaths: [],
  });
  // Each at the least number of digits its pattern can match.
  assert.equal(r.text("call 555-123-4567 now"), "call [PHONE] now");
  assert.equal(r.text("call (555) 123-4567"), "call [PHONE]");
  assert.equal(r.text("ring +1 23 45"), "ring [PHONE]");
  assert.equal(r.text("card 4111111111111111"), "card [CARD]");
  assert.equal(r.text("IBAN DE89370400440532013000"), "IBAN [IBAN]");
  // A key taken out first leaves fewer digits; the phone after it is still found.
  assert.equal(
    r.text("sk-abcdefghij0123456789XYZ and 555-123-4567"),
    "[API_KEY] and [PHONE]",
  );
  assert.equal(r.text("no numbers here at all"), "no numbers here at all");
});

Deno.test("hasKeyRun() finds a run of key characters wherever it starts, as a full scan would", () => {
  const naive = (s: string, min: number) => new RegExp(`[A-Za-z0-9+/_=-]{${min}}`).test(s);
  for (let at = 0; at < 70; at++) {
    for (const length of [31, 32, 33]) {
      const s = " ".repeat(at) + "aB3+/_=-".repeat(5).slice(0, length) + " ".repeat(at % 7);
      assert.equal(hasKeyRun(s, 32), length >= 32, `run of ${length} at ${at}`);
    }
  }
  const chars = "ab9+ .,-=_/Z\n";
  let seed = 7;
  for (let i = 0; i < 500; i++) {
    let s = "";
    for (let n = 0; n < 200; n++) s += chars[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % chars.length];
    for (const min of [4, 8, 32]) assert.equal(hasKeyRun(s, min), naive(s, min), JSON.stringify(s));
  }
});

Deno.test("jsonStrings() reads every string of a JSON text, keys and duplicates included, decoded", () => {
  assert.deepEqual(
    jsonStrings(String.raw`{"a":"x","a":"y\n","q\"":"\\","u":"\u00e9\\\"","n":[1,"",true]}`),
    ["a", "x", "a", "y\n", 'q"', "\\", "u", 'é\\"', "n", ""],
  );
  const long = JSON.stringify({ a: "x".repeat(4_000_000), b: "y\n".repeat(2_000_000) });
  const got = jsonStrings(long);
  assert.deepEqual(got.map((s) => s.length), [1, 4_000_000, 1, 4_000_000]);
});

Deno.test("Redactor.unchanged() says so only when no string of the body would change", async (t) => {
  const secret = "upstream-secret-0123456789";
  const r = new Redactor(ALL, { secrets: [secret] });
  assert.equal(
    r.unchanged(JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "Hi" }] })),
    true,
  );
  const changed: [string, string][] = [
    ["a secret", JSON.stringify({ a: `key ${secret}` })],
    ["a secret spelt with escapes", String.raw`{"a":"upstream-secret-\u0030123456789"}`],
    ["a secret in a key", JSON.stringify({ [secret]: 1 })],
    ["a secret in a duplicate key's value JSON.parse drops", `{"a":"${secret}","a":"x"}`],
    ["an e-mail address with an escaped @", String.raw`{"a":"jane\u0040example.com"}`],
    ["a key after an escaped newline", String.raw`{"a":"line\n` + "aB3".repeat(42) + 'xY"}'],
    ["a card number", JSON.stringify({ a: "4111 1111 1111 1111" })],
    ["a phone number", JSON.stringify({ a: "call +49 30 1234567" })],
  ];
  for (const [name, json] of changed) {
    await t.step(name, () => assert.equal(r.unchanged(json), false));
  }
  await t.step("not with custom rules or drop paths", () => {
    const body = JSON.stringify({ a: "plain" });
    assert.equal(
      new Redactor({ ...ALL, rules: [{ pattern: "^plain$", flags: "", replacement: "X" }] }).unchanged(body),
      false,
    );
    assert.equal(new Redactor({ ...ALL, dropPaths: ["a"] }).unchanged(body), false);
  });
});

Deno.test("Redactor.unchanged() never passes a body with a string that redaction changes (seeded fuzz)", () => {
  const r = new Redactor(ALL, { secrets: ["s3cr3t-value-xyz"] });
  // Pieces that build matches, near-misses and JSON escapes around string edges.
  const pieces = [
    "a",
    "Z",
    "0",
    "7",
    " ",
    "-",
    ".",
    "+",
    "@",
    "(",
    ")",
    "_",
    "/",
    "=",
    "\n",
    "\0",
    '"',
    "\\",
    "é",
    "sk-",
    "AKIA",
    "eyJ",
    "00",
    "+4",
    "4111",
    "1111 ",
    "DE89",
    "3704",
    "0044",
    "example.com",
    "Bearer ",
    "s3cr3t-",
    "value-xyz",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef",
    "555-123-4567",
    "(555) 123-4567",
  ];
  let seed = 42;
  const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const str = () => Array.from({ length: 1 + next(12) }, () => pieces[next(pieces.length)]).join("");
  let passed = 0;
  for (let i = 0; i < 3000; i++) {
    const obj: Record<string, unknown> = {};
    for (let k = 0; k < 1 + next(4); k++) obj[str()] = next(3) === 0 ? [str(), next(1000)] : str();
    const json = JSON.stringify(obj);
    if (!r.unchanged(json)) continue;
    passed++;
    for (const s of jsonStrings(json)) assert.equal(r.text(s), s, `${json} passed with ${JSON.stringify(s)}`);
  }
  assert.ok(passed > 100, `only ${passed} bodies passed: the fuzz no longer tests the clean case`);
});

import assert from "node:assert/strict";
import { parseConfigText } from "../../src/config/load.ts";
import { hasNestedQuantifier } from "../../src/config/regex_safety.ts";
import type { BuiltinRedaction, RedactConfig } from "../../src/config/types.ts";
import { RedactionBudgetError, Redactor, RULE_PIECE } from "../../src/logs/redact.ts";
import { replaceEmails } from "../../src/logs/redact_patterns.ts";
import type { ConfigError } from "../../src/server/errors.ts";

const MB = 1_000_000;
const NONE: RedactConfig = { builtin: [], rules: [], dropPaths: [] };
const only = (b: BuiltinRedaction) => new Redactor({ ...NONE, builtin: [b] });

/** 1 MB inputs that make a backtracking pattern re-read the same text from many starts. */
const ADVERSARIAL: Record<BuiltinRedaction, [string, string, string][]> = {
  email: [
    ["a long local part before a lone @", "a".repeat(MB) + " @", "a".repeat(MB) + " @"],
    ["a long local part with dots", "a.".repeat(MB / 2) + "@", "a.".repeat(MB / 2) + "@"],
    [
      "a long domain without a top-level label",
      "x@" + "a.".repeat(MB / 2) + "1",
      "x@" + "a.".repeat(MB / 2) + "1",
    ],
    ["at signs only", "a@".repeat(MB / 2), "a@".repeat(MB / 2)],
    ["an address after a long run", "a".repeat(MB) + "@example.com", "[EMAIL]"],
  ],
  api_key: [
    ["JWT starts in one run", "eyJ-".repeat(MB / 4), "eyJ-".repeat(MB / 4)],
    ["a JWT head without dots", "eyJ" + "a".repeat(MB) + ".", "eyJ" + "a".repeat(MB) + "."],
    ["bearer and whitespace", "Bearer " + " ".repeat(MB), "Bearer " + " ".repeat(MB)],
    ["a GitHub token head", "ghp_" + "a".repeat(MB) + "_", "ghp_" + "a".repeat(MB) + "_"],
    ["hex digits", "a".repeat(MB), "a".repeat(MB)],
  ],
  iban: [["country heads", "DE89 3704 ".repeat(MB / 10), "DE89 3704 ".repeat(MB / 10)]],
  credit_card: [["spaced digits", "1 ".repeat(MB / 2), "1 ".repeat(MB / 2)]],
  phone: [
    ["plus signs", "+1 ".repeat(MB / 3), "+1 ".repeat(MB / 3)],
    ["area codes", "(1234)".repeat(MB / 6), "(1234)".repeat(MB / 6)],
    ["zeros", "00".repeat(MB / 2), "00".repeat(MB / 2)],
  ],
};

Deno.test("every built-in pattern finishes on 1 MB adversarial inputs, with the right answer", async (t) => {
  for (const [builtin, cases] of Object.entries(ADVERSARIAL)) {
    for (const [name, input, output] of cases) {
      await t.step(`${builtin}: ${name}`, () => {
        assert.equal(only(builtin as BuiltinRedaction).text(input), output);
      });
    }
  }
  await t.step("all built-ins together on the issue's input", () => {
    const r = new Redactor({ ...NONE, builtin: ["api_key", "email", "iban", "credit_card", "phone"] });
    const input = "a".repeat(MB) + " @";
    assert.equal(r.text(input), input);
  });
});

/** The e-mail regex the scanner replaces: the specification it must agree with. */
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

Deno.test("replaceEmails() agrees with the e-mail regex on random text", () => {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const alphabet = "ab1.-_@ @.xyZ+%";
  for (let n = 0; n < 20_000; n++) {
    let s = "";
    const len = Math.floor(random() * 24);
    for (let i = 0; i < len; i++) s += alphabet[Math.floor(random() * alphabet.length)];
    assert.equal(replaceEmails(s, "[EMAIL]"), s.replace(EMAIL, "[EMAIL]"), JSON.stringify(s));
  }
  for (
    const s of ["mail jane.doe+x@example.co.uk now", "a@b.cd.ef@x.com", "x@a.com123", "a@b@c.com", "@x.io"]
  ) {
    assert.equal(replaceEmails(s, "[EMAIL]"), s.replace(EMAIL, "[EMAIL]"), s);
  }
});

Deno.test("Redactor runs custom rules on bounded pieces and still finds every match", () => {
  const r = new Redactor({ ...NONE, rules: [{ pattern: "ACME-\\d+", flags: "", replacement: "[C]" }] });
  const words = Array.from({ length: 20_000 }, (_, i) => (i % 7 === 0 ? `ACME-${i}` : "word"));
  const text = words.join(" ");
  assert.ok(text.length > 4 * RULE_PIECE);
  const out = r.text(text);
  assert.equal(out, words.map((w) => (w.startsWith("ACME") ? "[C]" : w)).join(" "));
});

Deno.test("Redactor.withBudget() stops a body once its budget is spent, read from the injected clock", () => {
  let now = 0;
  let reads = 0;
  const clock = () => {
    reads++;
    return now;
  };
  const r = new Redactor(
    { ...NONE, builtin: ["email"], rules: [{ pattern: "x+y", flags: "", replacement: "[X]" }] },
    { budgetMs: 100, clock },
  );
  const text = "word ".repeat(RULE_PIECE); // many pieces for the custom rule
  // Within the budget: the clock does not move, everything is redacted.
  assert.equal(r.withBudget(() => r.text("a@b.de xy")), "[EMAIL] [X]");
  // Each read moves the clock 30 ms: the fourth check is past 100 ms.
  const stepping = () => {
    now += 30;
    return now;
  };
  const slow = new Redactor({ ...NONE, rules: [{ pattern: "x", flags: "", replacement: "y" }] }, {
    budgetMs: 100,
    clock: stepping,
  });
  assert.throws(() => slow.withBudget(() => slow.text(text)), RedactionBudgetError);
  // Outside withBudget there is no budget (metadata such as error messages).
  assert.equal(slow.text(text), text);
  assert.ok(reads > 0);
});

Deno.test("Redactor.json() walks a 16,000-deep nested array without overflowing the stack", () => {
  const depth = 16_000;
  const value = JSON.parse("[".repeat(depth) + '"a@b.de"' + "]".repeat(depth));
  const r = new Redactor({ ...NONE, builtin: ["email"], dropPaths: ["x"] });
  let inner: unknown = r.json(value);
  for (let i = 0; i < depth; i++) inner = (inner as unknown[])[0];
  assert.equal(inner, "[EMAIL]");
});

Deno.test("hasNestedQuantifier() finds a repeated group that itself repeats", async (t) => {
  const cases: [string, boolean][] = [
    ["(a+)+", true],
    ["(\\w*\\s?)*", true],
    ["(?:x+y?){2,}", true],
    ["((a+)b)+", true],
    ["(a|b+)*$", true],
    ["ACME-\\d{6}", false],
    ["project (\\w+)", false],
    ["(\\d{3}-)+", false],
    ["[(a+)]+", false],
    ["\\(a+\\)+", false],
    ["(ab){2,5}", false],
  ];
  for (const [source, nested] of cases) {
    await t.step(source, () => assert.equal(hasNestedQuantifier(source), nested));
  }
});

Deno.test("validateConfig() refuses a custom redaction rule that can backtrack exponentially", () => {
  const yaml = `upstreams:
  - { name: u, kind: azure, endpoint: "https://x.example", auth: { type: api_key, key: env:K }, deployments: [{ name: d, model: m }] }
logs: { bodies: false, redact: { rules: [{ pattern: "ok-\\\\d+" }, { pattern: "(a+)+b" }] } }
`;
  assert.throws(
    () => parseConfigText(yaml, "rules.yaml", { hostname: () => "h" }),
    (err: ConfigError) =>
      err.issues.length === 1 && err.issues[0]!.path === "logs.redact.rules[1].pattern" &&
      /repeated group that itself repeats/.test(err.issues[0]!.message),
  );
});

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { decodeKeyText, generateKeyText, importLogKey, Keyring } from "../../src/logs/keyring.ts";
import { openRequestLog } from "../../src/logs/mod.ts";
import { openRecord } from "../../src/logs/open.ts";
import { BodyPolicy } from "../../src/logs/policy.ts";
import { queueCap, queuedCall } from "../../src/logs/queued.ts";
import { bytesPayload, PASS_THROUGH_MAX } from "../../src/logs/payload.ts";
import { Redactor } from "../../src/logs/redact.ts";
import type { LogRecord } from "../../src/logs/record.ts";
import { openField } from "../../src/logs/seal.ts";
import { RecordSealer } from "../../src/logs/sealer.ts";
import { callRecord, keyEnv, logConfig, readDay } from "./_util.ts";

const enc = new TextEncoder();
const ALL = ["email", "phone", "iban", "credit_card", "api_key"] as const;

async function ringOf(text: string) {
  return new Keyring([await importLogKey(decodeKeyText(text))]);
}

Deno.test("openRequestLog() logs a 16,000-deep nested body and one that is not UTF-8", async () => {
  const dir = await Deno.makeTempDir();
  const { key, env } = keyEnv();
  const log = await openRequestLog(logConfig(dir, { keys: [{ key: "env:LOG_KEY" }] }), { env });
  const depth = 16_000;
  const deep = `{"model":"gpt-4o","messages":[{"role":"user","content":` + "[".repeat(depth) +
    '"mail a@b.de"' + "]".repeat(depth) + "}]}";
  log.sink(callRecord({ id: "deep", requestBody: enc.encode(deep) }));
  const bad = new Uint8Array([...enc.encode('{"content":"mail a@b.de '), 0xff, 0xfe, ...enc.encode('"}')]);
  log.sink(callRecord({ id: "bad", requestBody: bad }));
  await log.close();
  const [d, b] = await readDay(dir);
  const ring = await ringOf(key);

  const opened = await openRecord(d!, ring);
  assert.deepEqual(opened.errors, []);
  let inner: unknown = (opened.record.request as { messages: { content: unknown }[] }).messages[0]!.content;
  for (let i = 0; i < depth; i++) inner = (inner as unknown[])[0];
  assert.equal(inner, "mail [EMAIL]");

  assert.equal(b!.request?.raw, true);
  const raw = (await openRecord(b!, ring)).record.request as {
    raw: boolean;
    truncated: boolean;
    base64: string;
  };
  assert.equal(raw.raw, true);
  assert.equal(raw.truncated, false);
  const bytes = Uint8Array.from(atob(raw.base64), (c) => c.charCodeAt(0));
  assert.deepEqual(
    bytes,
    new Uint8Array([...enc.encode('{"content":"mail [EMAIL] '), 0xff, 0xfe, ...enc.encode('"}')]),
    "the body's own bytes, redacted",
  );
});

Deno.test("queuedCall() cuts bodies to the cap before they are queued", () => {
  const big = new Uint8Array(10_000).fill(0x61);
  const rec = callRecord({
    requestBody: big,
    responseBody: big.subarray(0, 50),
    assembled: { content: "x".repeat(500), toolCalls: [], events: 1 },
  });
  const q = queuedCall(rec, 100);
  assert.equal(q.requestBody!.length, 100);
  assert.equal(q.requestBody!.buffer.byteLength, 100, "a buffer of its own");
  assert.equal(q.requestCut, 10_000);
  assert.equal(q.responseBody!.buffer.byteLength, 50);
  assert.equal(q.responseCut, undefined);
  assert.equal(q.assembled!.content.length, 101);
  assert.equal(rec.requestBody, big, "the call's own record is left alone");
  const logs = logConfig("/tmp").logs;
  assert.equal(queueCap(logs), logs.maxBodyBytes);
  assert.equal(queueCap({ ...logs, redact: { ...logs.redact, dropPaths: ["x"] } }), 16 * logs.maxBodyBytes);
});

async function sealer(options: { dropPaths?: string[]; clock?: () => number } = {}) {
  const dir = await Deno.makeTempDir();
  const text = generateKeyText();
  const config = logConfig(dir, { keys: [{ key: "env:K" }] });
  const keys = { global: [await importLogKey(decodeKeyText(text), "k")], projects: new Map() };
  const redactor = new Redactor(
    { builtin: [...ALL], rules: [], dropPaths: options.dropPaths ?? [] },
    options.clock ? { clock: options.clock, budgetMs: 100 } : {},
  );
  const s = new RecordSealer({
    instance: "gw1",
    policy: new BodyPolicy(config, keys),
    redactor,
    maxBodyBytes: 100,
    warn: (m) => assert.fail(m),
  });
  const ring = new Keyring([await importLogKey(decodeKeyText(text), "k")]);
  return async (rec: ReturnType<typeof callRecord>) => {
    const line = JSON.parse(s.line(rec)) as LogRecord;
    const request = line.request
      ? new TextDecoder().decode(
        (await openField(line.request, { id: line.id, field: "request" }, ring)).plain,
      )
      : null;
    return { line, opened: (await openRecord(line, ring)).record, request };
  };
}

Deno.test("RecordSealer logs a body cut before queueing as its redacted bytes, marked raw and cut", async () => {
  const seal = await sealer();
  const body = enc.encode(JSON.stringify({ content: `mail a@b.de ${"é".repeat(200)}` }));
  const { line, opened } = await seal(queuedCall(callRecord({ requestBody: body }), 100));
  assert.equal(line.request?.raw, true);
  assert.equal(line.request?.trunc, true);
  const req = opened.request as { raw: boolean; truncated: boolean; text: string };
  assert.ok(req.text.startsWith('{"content":"mail [EMAIL] é'));
  assert.ok(!req.text.includes("\uFFFD"), "a split character at the cut is left out");
});

Deno.test("RecordSealer logs a marker with size and SHA-256 for a body past the redaction budget", async () => {
  let now = 0;
  // Each read moves the clock past the 100 ms budget: the second read of a body is over it.
  const seal = await sealer({ clock: () => (now += 120) });
  const body = enc.encode(JSON.stringify({ a: "x", b: "y", c: "z" }));
  const { opened } = await seal(callRecord({ requestBody: body }));
  assert.deepEqual(opened.request, {
    withheld: "redaction took longer than its budget",
    bytes: body.length,
    sha256: createHash("sha256").update(body).digest("hex"),
  });
  const streamed = await seal(callRecord({
    stream: true,
    responseBody: null,
    assembled: { content: "a b c", toolCalls: [], events: 2 },
  }));
  assert.equal(
    (streamed.opened.response as { withheld: string }).withheld,
    "redaction took longer than its budget",
  );
});

Deno.test("RecordSealer withholds a body drop paths cannot be applied to", async () => {
  const seal = await sealer({ dropPaths: ["messages[*].content"] });
  const bad = new Uint8Array([0x7b, 0xff, 0x7d]);
  const { opened } = await seal(callRecord({ requestBody: bad }));
  assert.deepEqual(opened.request, {
    withheld: "drop paths cannot be applied to this body",
    bytes: 3,
    sha256: createHash("sha256").update(bad).digest("hex"),
  });
  const cut = await seal(queuedCall(callRecord({ requestBody: new Uint8Array(300).fill(0x61) }), 200));
  assert.deepEqual(cut.opened.request, {
    withheld: "drop paths cannot be applied to this body",
    bytes: 300,
    sha256: createHash("sha256").update(new Uint8Array(200).fill(0x61)).digest("hex"),
    sha256_of_first: 200,
  });
});

Deno.test("RecordSealer logs a JSON body with nothing to redact as its own bytes, any other parsed and redacted", async () => {
  const seal = await sealer();
  const clean = '{ "model": "gpt-4o",\n  "n": 1e2, "content": "caf\\u00e9" }';
  assert.equal((await seal(callRecord({ requestBody: enc.encode(clean) }))).request, clean);
  // JSON.parse keeps the last of two equal keys: the first one's address must not reach the log either.
  const twice = '{"a":"jane@example.com","a":"x"}';
  assert.equal((await seal(callRecord({ requestBody: enc.encode(twice) }))).request, '{"a":"x"}');
  const escaped = '{"a":"jane\\u0040example.com"}';
  assert.equal((await seal(callRecord({ requestBody: enc.encode(escaped) }))).request, '{"a":"[EMAIL]"}');
  const keyed = '{"jane@example.com":{"n":1}}';
  assert.equal((await seal(callRecord({ requestBody: enc.encode(keyed) }))).request, '{"[EMAIL]":{"n":1}}');
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('{"a": 1}')]);
  assert.equal((await seal(callRecord({ requestBody: bom }))).request, '{"a":1}');
});

Deno.test("bytesPayload() passes through clean bodies up to PASS_THROUGH_MAX only; larger ones take the long way", () => {
  const redactor = new Redactor({ builtin: [...ALL], rules: [], dropPaths: [] });
  const body = (size: number) => enc.encode(`{ "a": "${"x".repeat(size - 11)}" }`);
  const small = body(PASS_THROUGH_MAX);
  assert.equal(small.length, PASS_THROUGH_MAX);
  assert.equal(bytesPayload(small, redactor, 1 << 20).plain, small, "the bytes received, as they are");
  const large = body(PASS_THROUGH_MAX + 1);
  assert.equal(new TextDecoder().decode(bytesPayload(large, redactor, 1 << 20).plain).slice(0, 6), '{"a":"');
});

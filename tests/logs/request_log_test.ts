import assert from "node:assert/strict";
import { decodeKeyText, importLogKey, Keyring } from "../../src/logs/keyring.ts";
import { ensureEmbeddedLogKey, openRequestLog } from "../../src/logs/mod.ts";
import { openRecord } from "../../src/logs/open.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { allText, callRecord, keyEnv, logConfig, readDay } from "./_util.ts";

const enc = new TextEncoder();

async function ringOf(...texts: string[]) {
  return new Keyring(await Promise.all(texts.map((t) => importLogKey(decodeKeyText(t)))));
}

Deno.test("openRequestLog() round-trips records: seal, write, read, open", async () => {
  const dir = await Deno.makeTempDir();
  const { key, env } = keyEnv();
  const log = await openRequestLog(logConfig(dir, { keys: [{ key: "env:LOG_KEY" }] }), { env });
  log.sink(callRecord({
    id: "a",
    tried: [
      {
        upstream: "azure-test",
        deployment: "gpt-4o-west",
        status: 503,
        error: "Upstream answered 503 with key upstream-secret-0123456789",
        ms: 12.5,
      },
      { upstream: "azure-test", deployment: "gpt-4o-prod", status: 200, error: null, ms: 800 },
    ],
  }));
  log.sink(callRecord({
    id: "b",
    stream: true,
    status: "client_closed",
    responseBody: null,
    usage: {
      promptTokens: 3,
      completionTokens: 2,
      cachedTokens: 1,
      reasoningTokens: 0,
      totalTokens: 5,
      cacheWriteTokens: 4,
    },
    assembled: {
      content: "Hel",
      toolCalls: [{ id: "t1", type: "function", name: "f", arguments: '{"x":1}' }],
      finishReason: "tool_calls",
      events: 3,
    },
  }));
  assert.deepEqual(log.stats(), { queued: 2, written: 0, dropped: 0, bytes: 0 });
  await log.close();
  const stats = log.stats();
  assert.equal(stats.written, 2);
  assert.equal(stats.queued, 0);
  assert.equal(stats.bytes, (await Deno.stat(`${dir}/20251214/requests-gw1.jsonl`)).size);

  const [a, b] = await readDay(dir);
  const { request, response, ...meta } = a!;
  assert.deepEqual(meta, {
    v: 1,
    id: "a",
    ts: "2025-12-14T10:00:00.000Z",
    instance: "gw1",
    caller: { key_id: "dev", project: "demo", token_id: null },
    dialect: "openai",
    operation: "chat",
    model: "gpt-4o",
    upstream: "azure-test",
    deployment: "gpt-4o-prod",
    status: 200,
    stream: false,
    attempts: 1,
    latency_ms: 812.5,
    ttfb_ms: 400,
    usage: {
      prompt_tokens: 12,
      completion_tokens: 5,
      cached_tokens: 0,
      reasoning_tokens: 0,
      total_tokens: 17,
    },
    usage_source: "upstream",
    cost_eur: null,
    error: null,
    tried: [
      {
        upstream: "azure-test",
        deployment: "gpt-4o-west",
        status: 503,
        error: "Upstream answered 503 with key [SECRET]",
        ms: 12.5,
      },
      { upstream: "azure-test", deployment: "gpt-4o-prod", status: 200, error: null, ms: 800 },
    ],
  });
  assert.deepEqual(Object.keys(request!).sort(), ["alg", "ct", "gz", "iv", "kid", "trunc"]);
  assert.ok(!JSON.stringify(a).includes("Hello"), "bodies are not in plain text");
  assert.deepEqual(b!.usage?.cache_write_tokens, 4);
  assert.equal(b!.status, "client_closed");
  assert.equal(response!.kid, request!.kid);

  const ring = await ringOf(key);
  const opened = await openRecord(a!, ring);
  assert.deepEqual(opened.errors, []);
  assert.deepEqual(opened.record.request, {
    model: "gpt-4o",
    messages: [{ role: "user", content: "Hello" }],
  });
  assert.equal((opened.record.response as { id: string }).id, "chatcmpl-1");
  const streamed = await openRecord(b!, ring);
  assert.deepEqual(streamed.record.response, {
    content: "Hel",
    tool_calls: [{ id: "t1", type: "function", name: "f", arguments: '{"x":1}' }],
    finish_reason: "tool_calls",
    usage: null,
  });
});

Deno.test("openRequestLog() refuses to start when bodies are on and no key resolves", async (t) => {
  const dir = await Deno.makeTempDir();
  const fails = async (
    config: ReturnType<typeof logConfig>,
    path: string,
    message: RegExp,
    env = keyEnv().env,
  ) => {
    await assert.rejects(
      openRequestLog(config, { env, readTextFile: () => Promise.reject(new Deno.errors.NotFound()) }),
      (err) => {
        assert.ok(err instanceof ConfigError, `${err}`);
        assert.equal(err.issues[0]?.path, path);
        assert.match(err.issues[0]!.message, message);
        return true;
      },
    );
  };
  await t.step(
    "no key at all",
    () => fails(logConfig(dir), "logs.keys", /^required while request bodies are logged \(logs\.bodies\)/),
  );
  await t.step(
    "an unset variable",
    () => fails(logConfig(dir, { keys: [{ key: "env:NOPE" }] }), "logs.keys[0].key", /"NOPE" is not set/),
  );
  await t.step(
    "a missing file",
    () =>
      fails(logConfig(dir, { keys: [{ key: "file:/nonexistent/k" }] }), "logs.keys[0].key", /does not exist/),
  );
  await t.step(
    "a key of the wrong size, not echoed",
    () =>
      fails(
        logConfig(dir, { keys: [{ key: "env:SHORT" }] }),
        "logs.keys[0].key",
        /^expected 32 bytes in base64, got 5 bytes$/,
        (n) => n === "SHORT" ? "c2hvcnQ=" : undefined,
      ),
  );
  await t.step(
    "a project switching bodies on without keys",
    () =>
      fails(
        logConfig(dir, { bodies: false, projects: [{ name: "p", bodies: true, keys: [] }] }),
        "logs.keys",
        /logs\.projects\[0\]\.bodies/,
      ),
  );
  await t.step(
    "a caller switching bodies on without keys",
    () =>
      fails(
        logConfig(dir, { bodies: false, callers: [{ keyId: "dev", bodies: true }] }),
        "logs.keys",
        /logs\.callers\[0\]\.bodies/,
      ),
  );
  await t.step("two different keys with one id", async () => {
    const env = keyEnv({ OTHER: keyEnv().key }).env;
    await fails(
      logConfig(dir, { keys: [{ id: "x", key: "env:LOG_KEY" }, { id: "x", key: "env:OTHER" }] }),
      "logs",
      /Duplicate log key id "x"/,
      env,
    );
  });
});

Deno.test("openRequestLog() with bodies off writes metadata only and needs no key", async () => {
  const dir = await Deno.makeTempDir();
  const log = await openRequestLog(logConfig(dir, { bodies: false }), { env: () => undefined });
  log.sink(callRecord());
  await log.close();
  const [rec] = await readDay(dir);
  assert.equal(rec!.request, null);
  assert.equal(rec!.response, null);
  assert.equal(rec!.usage?.total_tokens, 17);
  assert.ok(!(await allText(dir)).includes("Hello"));
});

Deno.test("openRequestLog() with logs.thread false starts no Worker and seals on this thread, after the turn that queued the record", async () => {
  const dir = await Deno.makeTempDir();
  const { key, env } = keyEnv();
  const RealWorker = globalThis.Worker;
  let log;
  globalThis.Worker = class {
    constructor() {
      throw new Error("no Worker may be started");
    }
  } as unknown as typeof Worker;
  try {
    log = await openRequestLog(logConfig(dir, { keys: [{ key: "env:LOG_KEY" }], thread: false }), { env });
  } finally {
    globalThis.Worker = RealWorker;
  }
  log.sink(callRecord({ id: "inline" }));
  // Nothing is sealed or written inside the call that queued the record.
  assert.deepEqual(log.stats(), { queued: 1, written: 0, dropped: 0, bytes: 0 });
  await log.close();
  assert.equal(log.stats().written, 1);
  const [rec] = await readDay(dir);
  const opened = await openRecord(rec!, await ringOf(key));
  assert.deepEqual(opened.errors, []);
  assert.deepEqual(opened.record.request, {
    model: "gpt-4o",
    messages: [{ role: "user", content: "Hello" }],
  });
});

Deno.test("openRequestLog() seals per project and honours per-key and per-project switches", async () => {
  const dir = await Deno.makeTempDir();
  const project = keyEnv().key;
  const { key, env } = keyEnv({ PROJECT_KEY: project });
  const config = logConfig(dir, {
    keys: [{ id: "global", key: "env:LOG_KEY" }],
    projects: [{ name: "secret", keys: [{ id: "secret-1", key: "env:PROJECT_KEY" }] }, {
      name: "quiet",
      bodies: false,
      keys: [],
    }],
    callers: [{ keyId: "ci", bodies: false }],
  });
  const log = await openRequestLog(config, { env });
  const caller = (keyId: string, project: string | null) => ({ keyId, project, tokenId: null });
  log.sink(callRecord({ id: "g", caller: caller("dev", "demo") }));
  log.sink(callRecord({ id: "s", caller: caller("dev2", "secret") }));
  log.sink(callRecord({ id: "q", caller: caller("dev3", "quiet") }));
  log.sink(callRecord({ id: "c", caller: caller("ci", "secret") }));
  log.sink(
    callRecord({ id: "n", caller: null, status: 401, requestBody: null, responseBody: enc.encode("{}") }),
  );
  await log.close();
  const recs = Object.fromEntries((await readDay(dir)).map((r) => [r.id, r]));
  assert.equal(recs.g!.request?.kid, "global");
  assert.equal(recs.s!.request?.kid, "secret-1");
  assert.equal(recs.q!.request, null);
  assert.equal(recs.c!.request, null, "the caller key's switch wins over its project");
  assert.equal(recs.n!.request, null);
  assert.equal(recs.n!.response?.kid, "global");
  assert.deepEqual(recs.n!.caller, { key_id: null, project: null, token_id: null });

  // Crypto-shredding: without the project's key its bodies stay sealed, its metadata stays readable.
  const shredded = await openRecord(recs.s!, await ringOf(key));
  assert.equal(shredded.errors.length, 2);
  assert.match(
    shredded.errors[0]!.message,
    /^Cannot decrypt log record "s": no key with id "secret-1" in "request"$/,
  );
  assert.equal(shredded.record.model, "gpt-4o");
  const both = new Keyring([await importLogKey(decodeKeyText(project), "secret-1")]);
  assert.deepEqual((await openRecord(recs.s!, both)).errors, []);
});

Deno.test("openRequestLog() caps bodies with a truncation marker and redacts before sealing", async () => {
  const dir = await Deno.makeTempDir();
  const { key, env } = keyEnv();
  const config = logConfig(dir, {
    keys: [{ key: "env:LOG_KEY" }],
    maxBodyBytes: 100,
    redact: { builtin: ["email"], rules: [], dropPaths: ["messages[*].name"] },
  });
  const log = await openRequestLog(config, { env });
  const long = JSON.stringify({
    messages: [{ role: "user", name: "x", content: `mail a@b.de ${"é".repeat(200)}` }],
  });
  log.sink(
    callRecord({ id: "t", requestBody: enc.encode(long), responseBody: enc.encode("plain text a@b.de") }),
  );
  log.sink(
    callRecord({
      id: "e",
      error: { type: "upstream_error", code: "x", message: "key upstream-secret-0123456789 for a@b.de" },
    }),
  );
  await log.close();
  const [t, e] = await readDay(dir);
  assert.equal(t!.request?.trunc, true);
  assert.equal(t!.response?.trunc, false);
  const opened = await openRecord(t!, await ringOf(key));
  const req = opened.record.request as { truncated: boolean; text: string };
  assert.equal(req.truncated, true);
  assert.ok(enc.encode(req.text).length <= 100);
  assert.ok(req.text.startsWith('{"messages":[{"role":"user","name":"[dropped]","content":"mail [EMAIL] é'));
  assert.ok(!req.text.includes("\uFFFD"), "cut on a character boundary");
  assert.equal(opened.record.response, "plain text [EMAIL]");
  assert.deepEqual(e!.error, { type: "upstream_error", message: "key [SECRET] for [EMAIL]" });
});

Deno.test("ensureEmbeddedLogKey() creates a 0600 key once, and the embedded config uses it", async () => {
  const dataDir = `${await Deno.makeTempDir()}/state`;
  const first = await ensureEmbeddedLogKey(dataDir);
  assert.deepEqual(first, { ref: `file:${dataDir}/log_key`, path: `${dataDir}/log_key`, created: true });
  assert.equal((await Deno.stat(first.path)).mode! & 0o777, 0o600);
  const text = await Deno.readTextFile(first.path);
  assert.equal(decodeKeyText(text).length, 32);
  assert.deepEqual(await ensureEmbeddedLogKey(`${dataDir}/`), { ...first, created: false });
  assert.equal(await Deno.readTextFile(first.path), text);
  await Deno.writeTextFile(first.path, "");
  assert.equal((await ensureEmbeddedLogKey(dataDir)).created, true, "an empty file is replaced");

  const { embeddedConfig } = await import("../../src/config/load.ts");
  const config = embeddedConfig({ mockUrl: "http://127.0.0.1:1", keySha256: "0".repeat(64), dataDir });
  config.logs.dir = `${dataDir}/logs`;
  const log = await openRequestLog(config);
  log.sink(callRecord());
  await log.close();
  assert.equal(log.stats().written, 1);
});

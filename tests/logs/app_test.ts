/** The request log behind the real app: what the pipeline hands over is what gets logged, minus secrets. */
import assert from "node:assert/strict";
import { decodeKeyText, importLogKey, Keyring } from "../../src/logs/keyring.ts";
import { openRecord } from "../../src/logs/open.ts";
import { openRequestLog } from "../../src/logs/request_log.ts";
import { dayFiles, readRecords } from "../../src/logs/reader.ts";
import type { LogRecord } from "../../src/logs/record.ts";
import { sha256Hex } from "../../src/core/sha256.ts";
import { apiKeyAuth } from "../../src/providers/azure/auth.ts";
import { testApp } from "../_helpers/app.ts";
import { allText, keyEnv, logConfig } from "./_util.ts";

const CALLER_KEY = "azmw_caller_secret_0123456789abcdef";
const UPSTREAM_KEY = "upstream-secret-0123456789";
const enc = new TextEncoder();

function sse(parts: string[]): Response {
  return new Response(ReadableStream.from(parts.map((p) => enc.encode(p))), {
    headers: { "content-type": "text/event-stream" },
  });
}

/** The fake upstream: a stream, an error echoing its key, or a body echoing its key. */
function upstream(raw: unknown): Response {
  const body = JSON.parse(typeof raw === "string" ? raw : new TextDecoder().decode(raw as Uint8Array));
  if (body.stream) {
    return sse([
      'data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n',
      'data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}\n\n',
      "data: [DONE]\n\n",
    ]);
  }
  if (body.messages[0].content === "fail") {
    return Response.json(
      { error: { message: `Bad key ${UPSTREAM_KEY}`, type: "invalid_request_error" } },
      {
        status: 400,
      },
    );
  }
  return Response.json({ id: "x", choices: [{ message: { content: `echo ${UPSTREAM_KEY}` } }] });
}

Deno.test("the request log records app calls without any caller or upstream secret", async () => {
  const dir = await Deno.makeTempDir();
  const { key, env } = keyEnv({ CALLER: CALLER_KEY });
  const config = logConfig(dir, {
    keys: [{ key: "env:LOG_KEY" }],
    redact: { builtin: [], rules: [], dropPaths: [] },
  });
  config.auth.keys = [{ id: "dev", key: "env:CALLER", project: "demo" }];
  const log = await openRequestLog(config, { env });
  let n = 0;
  const app = testApp({
    config,
    callerKeys: [{ id: "dev", sha256: sha256Hex(CALLER_KEY), project: "demo" }],
    upstreamAuth: new Map([[config.upstreams[0]!.name, apiKeyAuth(UPSTREAM_KEY)]]),
    now: () => Date.parse("2025-12-14T10:00:00Z"),
    randomId: () => `call-${++n}`,
    fetch: (_url, init) => Promise.resolve(upstream(init.body)),
    sink: log.sink,
  });
  const call = (body: unknown, headers: Record<string, string>) =>
    app(
      new Request("http://gw/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      }),
    );
  const said = { model: "gpt-4o", messages: [{ role: "user", content: `my key is ${CALLER_KEY}` }] };
  await (await call(said, { authorization: `Bearer ${CALLER_KEY}` })).text();
  await (await call({ ...said, messages: [{ role: "user", content: "fail" }] }, { "api-key": CALLER_KEY }))
    .text();
  await (await call({ ...said, stream: true }, { "x-api-key": CALLER_KEY })).text();
  await (await call(said, { authorization: "Bearer wrong-key-0123456789" })).text();
  await log.close();

  const text = await allText(dir);
  for (const secret of [CALLER_KEY, UPSTREAM_KEY, "wrong-key-0123456789"]) {
    assert.ok(!text.includes(secret), secret);
  }
  const records: LogRecord[] = [];
  for await (const r of readRecords(await dayFiles(dir, "20251214"), assert.fail)) records.push(r.record);
  assert.deepEqual(records.map((r) => [r.id, r.status, r.stream]), [
    ["call-1", 200, false],
    ["call-2", 400, false],
    ["call-3", 200, true],
    ["call-4", 401, false],
  ]);
  const ring = new Keyring([await importLogKey(decodeKeyText(key))]);
  const opened = await Promise.all(records.map((r) => openRecord(r, ring)));
  const all = JSON.stringify(opened);
  for (const secret of [CALLER_KEY, UPSTREAM_KEY]) assert.ok(!all.includes(secret), secret);
  assert.deepEqual(opened.map((o) => o.errors), [[], [], [], []]);
  assert.equal((opened[0]!.record.request as typeof said).messages[0]!.content, "my key is [SECRET]");
  assert.deepEqual(opened[0]!.record.response, {
    id: "x",
    choices: [{ message: { content: "echo [SECRET]" } }],
  });
  assert.equal(records[1]!.error?.message, "Bad key [SECRET]");
  assert.equal((opened[2]!.record.response as { content: string }).content, "Hi");
  assert.equal(records[2]!.usage?.total_tokens, 4);
  assert.equal(records[3]!.caller.key_id, null);
});

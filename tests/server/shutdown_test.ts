/**
 * SIGTERM with more open streams than the grace lets finish: every stream ends with an error event in its
 * dialect, every call has a record in the request log, and the process exits within the grace plus the
 * shutdown's bounded waits.
 */
import assert from "node:assert/strict";
import { serveMock } from "../../src/mock/mod.ts";
import { SHUTDOWN_CLOSE_MS, SHUTDOWN_DRAIN_MS } from "../../src/server/gateway.ts";
import { keyEnv, readDay } from "../logs/_util.ts";
import { spawnServe } from "../_helpers/serve_process.ts";

const CALLER = "azmw_shutdown_test_caller_key";
const UPSTREAM = "shutdown-test-upstream-key";
const GRACE_MS = 500;

function configYaml(dir: string, mockUrl: string): string {
  return `server:
  shutdown_grace_ms: ${GRACE_MS}
  timezone: UTC
logs:
  dir: ${dir}/logs
  keys:
    - key: env:LOG_KEY
auth:
  keys:
    - id: dev
      key: env:SHUTDOWN_TEST_CALLER
upstreams:
  - name: mock
    kind: azure
    endpoint: ${mockUrl}
    auth: { type: api_key, key: env:SHUTDOWN_TEST_UPSTREAM }
    deployments:
      - name: gpt-4o-prod
        model: gpt-4o
`;
}

/** The three stream dialects, the request that opens one, and the error event its client must get. */
const KINDS = [
  {
    path: "/v1/chat/completions",
    body: { model: "gpt-4o", stream: true, messages: [{ role: "user", content: "Hello" }] },
    error:
      /\ndata: \{"error":\{"message":"The gateway is shutting down[^"]*","type":"server_error","param":null,"code":"shutdown"\}\}\n\n$/,
  },
  {
    path: "/v1/responses",
    body: { model: "gpt-4o", stream: true, input: "Hello" },
    error:
      /\nevent: error\ndata: \{"type":"error","code":"shutdown","message":"The gateway is shutting down[^"]*","param":null\}\n\n$/,
  },
  {
    path: "/v1/messages",
    body: { model: "gpt-4o", stream: true, max_tokens: 100, messages: [{ role: "user", content: "Hello" }] },
    error:
      /\nevent: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"The gateway is shutting down[^"]*"\}\}\n\n$/,
  },
] as const;

Deno.test("SIGTERM ends 50 open streams with an error event each, records them all, and exits in time (subprocess)", async () => {
  // Streams that would run for minutes: 10,000 events, 50 ms apart.
  const mock = serveMock({ apiKey: UPSTREAM, chunks: 10_000, chunkDelayMs: 50 });
  const dir = await Deno.makeTempDir();
  const { key } = keyEnv();
  await Deno.writeTextFile(`${dir}/config.yaml`, configYaml(dir, mock.url));
  const gw = await spawnServe(
    ["--config", `${dir}/config.yaml`, "--port", "0", "--data-dir", `${dir}/data`],
    {
      cwd: dir,
      env: { LOG_KEY: key, SHUTDOWN_TEST_CALLER: CALLER, SHUTDOWN_TEST_UPSTREAM: UPSTREAM },
    },
  );
  try {
    const streams = await Promise.all(Array.from({ length: 50 }, async (_, i) => {
      const kind = KINDS[i % KINDS.length]!;
      const res = await fetch(`${gw.url}${kind.path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${CALLER}`, "content-type": "application/json" },
        body: JSON.stringify(kind.body),
      });
      assert.equal(res.status, 200, kind.path);
      return { kind, text: new Response(res.body).text() };
    }));
    const signalled = performance.now();
    const status = await gw.stop("SIGTERM");
    const tookMs = performance.now() - signalled;
    assert.equal(status.code, 0, gw.output());
    // Grace, the bounded waits after it, and a process exit (which waits on nothing).
    assert.ok(tookMs < GRACE_MS + 2 * SHUTDOWN_CLOSE_MS + SHUTDOWN_DRAIN_MS, `exited after ${tookMs} ms`);

    for (const s of streams) {
      const text = await s.text;
      assert.match(text, s.kind.error, `${s.kind.path} ended with:\n${text.slice(-400)}`);
      assert.ok(!text.includes("[DONE]"));
    }
    const day = new Date().toISOString().slice(0, 10).replaceAll("-", "");
    const records = await readDay(`${dir}/logs`, day);
    assert.equal(records.length, 50, gw.output());
    for (const r of records) {
      assert.equal(r.stream, true);
      assert.equal(r.status, 503);
      assert.match(r.error?.message ?? "", /^The gateway is shutting down/);
      assert.ok(r.usage !== null && r.usage.completion_tokens > 0, JSON.stringify(r.usage));
      assert.equal(r.usage_source, "estimated");
      assert.ok(r.cost_eur !== null && r.cost_eur > 0);
      assert.ok(r.response !== null, "what was streamed so far is logged");
    }
    assert.match(gw.output(), /Gateway stopped before every open call finished[^\n]*"ended":50/);
  } finally {
    await mock.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SIGTERM exits in time even when the request log thread is stuck on a record (subprocess)", async () => {
  const mock = serveMock({ apiKey: UPSTREAM });
  const dir = await Deno.makeTempDir();
  const { key } = keyEnv();
  await Deno.writeTextFile(`${dir}/config.yaml`, configYaml(dir, mock.url));
  const gw = await spawnServe(
    ["--config", `${dir}/config.yaml`, "--port", "0", "--data-dir", `${dir}/data`],
    {
      cwd: dir,
      env: { LOG_KEY: key, SHUTDOWN_TEST_CALLER: CALLER, SHUTDOWN_TEST_UPSTREAM: UPSTREAM },
    },
  );
  try {
    // A body that keeps a backtracking redaction pattern busy for minutes (when redaction is linear, the
    // log simply finishes early; the exit bound holds either way).
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${CALLER}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "gpt-4o",
        messages: [{ role: "system", content: `${"a".repeat(1_000_000)} @` }, {
          role: "user",
          content: "Hi",
        }],
      }),
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    const signalled = performance.now();
    const status = await gw.stop("SIGTERM");
    const tookMs = performance.now() - signalled;
    assert.equal(status.code, 0, gw.output());
    assert.ok(tookMs < GRACE_MS + 2 * SHUTDOWN_CLOSE_MS + SHUTDOWN_DRAIN_MS, `exited after ${tookMs} ms`);
  } finally {
    await mock.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

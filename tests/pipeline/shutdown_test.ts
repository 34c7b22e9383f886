/** Calls and streams still open when the shutdown grace ends. */
import assert from "node:assert/strict";
import { UpstreamCall } from "../../src/pipeline/forward.ts";
import type { CallRecord } from "../../src/core/record.ts";
import { createRelay, type StreamEnd } from "../../src/pipeline/relay.ts";
import { apiKeyAuth } from "../../src/providers/azure/auth.ts";
import { CALLER_SHA, post, testApp, UPSTREAM_KEY } from "../_helpers/app.ts";
import { azureUpstream, testConfig } from "../_helpers/config.ts";

const TIMEOUTS = { firstByteMs: 0, idleMs: 0, totalMs: 0 };
const enc = new TextEncoder();

/** A primed relay over an upstream that sent two events and then waits forever. */
async function openRelay(shutdown: AbortSignal) {
  const call = new UpstreamCall("up", TIMEOUTS, undefined, { shutdown });
  const body = new ReadableStream<Uint8Array>({
    start(ctl) {
      ctl.enqueue(enc.encode('data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n'));
      ctl.enqueue(enc.encode('data: {"choices":[{"index":0,"delta":{"content":"lo"}}]}\n\n'));
    },
  });
  const res = await call.send(() => Promise.resolve(new Response(body)), "http://up", {});
  const ends: StreamEnd[] = [];
  const relay = createRelay(res.body!, {
    call,
    operation: "chat",
    dialect: "openai",
    upstreamOperation: "chat",
    injectedUsage: false,
    translator: null,
    now: () => 0,
    onEnd: (end) => ends.push(end),
  });
  await relay.prime();
  return { relay, ends };
}

Deno.test("createRelay() ends a stream nobody is reading at shutdown: chunks so far, error event, one end", async () => {
  const stopping = new AbortController();
  const { relay, ends } = await openRelay(stopping.signal);
  stopping.abort();
  assert.equal(ends.length, 1, "the end is reported at once, not when the client reads");
  const end = ends[0]!;
  assert.equal(end.kind, "error");
  assert.equal(end.kind === "error" && end.error.code, "shutdown");
  const text = await new Response(relay.stream).text();
  assert.match(text, /^data: \{"choices":\[\{"index":0,"delta":\{"content":"Hel"\}\}\]\}\n\n/);
  assert.match(
    text,
    /data: \{"error":\{"message":"The gateway is shutting down[^\n]*"code":"shutdown"\}\}\n\n$/,
  );
  assert.equal(ends.length, 1);
});

Deno.test("createRelay() ends a stream at shutdown while the client waits for the next chunk", async () => {
  const stopping = new AbortController();
  const { relay, ends } = await openRelay(stopping.signal);
  const reader = relay.stream.getReader();
  let text = "";
  for (let i = 0; i < 2; i++) text += new TextDecoder().decode((await reader.read()).value);
  const pending = reader.read(); // waits on the upstream
  stopping.abort();
  for (let r = await pending; !r.done; r = await reader.read()) text += new TextDecoder().decode(r.value);
  assert.match(text, /"content":"lo"\}\}\]\}\n\ndata: \{"error":\{"message":"The gateway is shutting down/);
  assert.equal(ends.length, 1);
  assert.equal(ends[0]!.kind, "error");
});

Deno.test("UpstreamCall.send() refuses at once once the shutdown has begun", async () => {
  const stopping = new AbortController();
  stopping.abort();
  const call = new UpstreamCall("up", TIMEOUTS, undefined, { shutdown: stopping.signal });
  await assert.rejects(
    call.send((_u, init) => Promise.reject(init.signal?.reason), "http://up", {}),
    (e) =>
      e instanceof Error && (e as { code?: string }).code === "shutdown" &&
      (e as { status?: number }).status === 503,
  );
});

Deno.test("a call waiting to retry when the shutdown begins ends at once with 503 shutdown", async () => {
  const stopping = new AbortController();
  const config = testConfig([azureUpstream("https://res.example")]);
  config.routing = {
    retries: 3,
    backoffMs: 60_000,
    maxBackoffMs: 60_000,
    breaker: { failures: 0, cooldownMs: 1 },
  };
  let posts = 0;
  const records: CallRecord[] = [];
  const app = testApp({
    config,
    callerKeys: [{ id: "dev", sha256: CALLER_SHA }],
    upstreamAuth: new Map([["azure-test", apiKeyAuth(UPSTREAM_KEY)]]),
    fetch: () => {
      posts++;
      queueMicrotask(() => stopping.abort()); // the grace ends while the call sleeps before its retry
      return Promise.resolve(new Response('{"error":{"message":"busy"}}', { status: 503 }));
    },
    random: () => 0.5,
    shutdown: stopping.signal,
    sink: (r) => records.push(r),
  });
  const res = await app(post("/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21", {
    messages: [{ role: "user", content: "Hi" }],
  }));
  assert.equal(res.status, 503);
  assert.equal((await res.json()).error.code, "shutdown");
  assert.equal(posts, 1);
  assert.equal(records[0]?.attempts, 1);
  assert.equal(records[0]?.error?.code, "shutdown");
});

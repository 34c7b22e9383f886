/** Small real runs: the load generator against a real gateway and mock on port 0 (no timing assertions). */
import assert from "node:assert/strict";
import { runLoad } from "../../src/bench/load.ts";
import { runOpenLoop } from "../../src/bench/open_loop.ts";
import { buildRequest } from "../../src/bench/request.ts";
import { CALLER_KEY } from "../_helpers/app.ts";
import { startGateway } from "../_helpers/gateway.ts";

function chat(url: string, key: string, over: { stream?: boolean; headers?: Record<string, string> } = {}) {
  return buildRequest({
    dialect: "openai",
    baseUrl: url,
    key,
    model: "gpt-4o",
    stream: over.stream ?? false,
    ...(over.headers && { headers: over.headers }),
  });
}

Deno.test("runLoad() counts 50 requests from 5 workers through the gateway", async () => {
  const gw = await startGateway();
  try {
    const r = await runLoad(chat(gw.url, CALLER_KEY), { concurrency: 5, requests: 50, warmup: 5 });
    assert.equal(r.completed, 50);
    assert.equal(r.ok, 50);
    assert.equal(r.errors, 0);
    assert.deepEqual(r.statuses, { "200": 50 });
    assert.equal(r.latency.count, 50);
    assert.equal(r.ttfb.count, 50);
    assert.equal(r.overhead.count, 50); // every relayed answer carries x-azmw-overhead-ms
    assert.equal(r.chunks, 0);
    assert.ok(r.throughputRps > 0);
    await gw.recordsReached(55);
  } finally {
    await gw.close();
  }
});

Deno.test("runLoad() counts errors by status: a wrong key gives 50 × 401", async () => {
  const gw = await startGateway();
  try {
    const r = await runLoad(chat(gw.url, "wrong-key"), { concurrency: 5, requests: 50 });
    assert.equal(r.completed, 50);
    assert.equal(r.ok, 0);
    assert.equal(r.errors, 50);
    assert.deepEqual(r.statuses, { "401": 50 });
    assert.equal(r.latency.count, 0);
    assert.equal(r.throughputRps, 0);
  } finally {
    await gw.close();
  }
});

Deno.test("runLoad() reads streams chunk by chunk", async () => {
  const gw = await startGateway();
  try {
    const headers = { "x-mock-chunks": "4", "x-mock-chunk-delay-ms": "1" };
    const r = await runLoad(chat(gw.url, CALLER_KEY, { stream: true, headers }), {
      concurrency: 5,
      requests: 20,
    });
    assert.equal(r.ok, 20);
    assert.equal(r.ttfb.count, 20);
    assert.ok(r.chunks >= 20 * 4, `${r.chunks} chunks`);
    assert.equal(r.chunkGap.count, r.chunks - 20); // the first chunk of each stream has no gap
  } finally {
    await gw.close();
  }
});

Deno.test("runLoad() with a duration, and a stop signal", async () => {
  const gw = await startGateway();
  try {
    const r = await runLoad(chat(gw.url, CALLER_KEY), { concurrency: 2, durationMs: 200 });
    assert.ok(r.completed > 0);
    assert.equal(r.errors, 0);
    const stopped = await runLoad(chat(gw.url, CALLER_KEY), {
      concurrency: 2,
      durationMs: 60_000,
      signal: AbortSignal.abort(),
    });
    assert.equal(stopped.completed, 0);
  } finally {
    await gw.close();
  }
});

Deno.test("runOpenLoop() offers rate × duration requests", async () => {
  const gw = await startGateway();
  try {
    const r = await runOpenLoop(chat(gw.url, CALLER_KEY), { ratePerSec: 200, durationMs: 250 });
    assert.equal(r.sent, 50);
    assert.equal(r.completed, 50);
    assert.equal(r.ok, 50);
    assert.equal(r.targetRps, 200);
  } finally {
    await gw.close();
  }
});

Deno.test("runLoad() counts refused connections as network errors", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const r = await runLoad(chat(`http://127.0.0.1:${port}`, "k"), { concurrency: 2, requests: 4 });
  assert.deepEqual(r.statuses, { network: 4 });
});

Deno.test("runLoad() rejects contradictory options", async () => {
  const req = chat("http://127.0.0.1:1", "k");
  await assert.rejects(() => runLoad(req, { concurrency: 1 }), TypeError);
  await assert.rejects(() => runLoad(req, { concurrency: 1, requests: 1, durationMs: 1 }), TypeError);
  await assert.rejects(() => runLoad(req, { concurrency: 0, requests: 1 }), RangeError);
  await assert.rejects(() => runOpenLoop(req, { ratePerSec: 0, durationMs: 1 }), RangeError);
});

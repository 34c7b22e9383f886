import assert from "node:assert/strict";
import { serveMock } from "../../src/mock/mod.ts";
import { createAppLog } from "../../src/observability/app_log.ts";
import type { CallRecord } from "../../src/core/record.ts";
import { startGateway } from "../../src/server/gateway.ts";
import { CALLER_KEY, CALLER_SHA, UPSTREAM_KEY } from "../_helpers/app.ts";
import { azureUpstream, testConfig } from "../_helpers/config.ts";
import { configKeys } from "../_helpers/callers.ts";

function setup() {
  const mock = serveMock({ apiKey: UPSTREAM_KEY });
  const config = testConfig([azureUpstream(mock.url)]);
  config.auth.keys = [{ id: "dev", sha256: CALLER_SHA }];
  const lines: string[] = [];
  const log = createAppLog((l) => lines.push(l));
  const env = (n: string) => n === "TEST_UPSTREAM_KEY" ? UPSTREAM_KEY : undefined;
  return { mock, config, lines, log, env };
}

const chat = (url: string, extra: Record<string, string> = {}, body: Record<string, unknown> = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${CALLER_KEY}`, "content-type": "application/json", ...extra },
    body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], ...body }),
  });

Deno.test("startGateway() serves, counts metrics and reloads a new config", async () => {
  const { mock, config, lines, log, env } = setup();
  let closed = false;
  const gw = await startGateway(config, {
    log,
    env,
    callers: configKeys(),
    onClose: () => Promise.resolve(void (closed = true)),
  });
  try {
    const res = await chat(gw.url);
    assert.equal(res.status, 200);
    await res.text();
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    assert.match(
      metrics,
      /azmw_requests_total\{dialect="openai",operation="chat",model="gpt-4o",upstream="azure-test",status="200"\} 1/,
    );
    assert.match(metrics, /azmw_gateway_overhead_seconds_count 1/);
    assert.match(
      metrics,
      /azmw_breaker_state\{upstream="azure-test",deployment="gpt-4o-prod",state="closed"\} 1/,
    );
    assert.match(
      metrics,
      /azmw_breaker_state\{upstream="azure-test",deployment="gpt-4o-prod",state="open"\} 0/,
    );
    assert.match(
      metrics,
      /azmw_upstream_in_flight_requests\{upstream="azure-test",deployment="gpt-4o-prod"\} 0/,
    );
    const health = await (await fetch(`${gw.url}/health`)).json();
    assert.deepEqual(health.targets[0], {
      upstream: "azure-test",
      deployment: "gpt-4o-prod",
      breaker: "closed",
      in_flight: 0,
    });

    const next = structuredClone(config);
    next.upstreams[0]!.deployments.push({ name: "gpt-4.1", model: "gpt-4.1", aliases: [] });
    next.server.port = 1; // the listener does not move on reload; a warning says so
    next.server.maxConnections = 5; // nor do its limits
    next.server.maxBufferedBodyBytes = config.server.maxBufferedBodyBytes * 2; // nor does the body budget
    await gw.reload(next);
    assert.ok(lines.some((l) => l.includes("server.max_connections change only on restart")));
    assert.ok(lines.some((l) => l.includes("server.max_buffered_body_bytes changes only on restart")));
    assert.equal(gw.config, next);
    const models = await (await fetch(`${gw.url}/v1/models`, { headers: { "api-key": CALLER_KEY } })).json();
    assert.ok(models.data.some((m: { id: string }) => m.id === "gpt-4.1"));

    const broken = structuredClone(config);
    broken.upstreams[0]!.auth = { type: "api_key", key: "env:NOT_SET_ANYWHERE" };
    await assert.rejects(() => gw.reload(broken), /NOT_SET_ANYWHERE/);
    assert.equal(gw.config, next, "a failed reload keeps the live config");
  } finally {
    assert.deepEqual(await gw.shutdown(5000), { graceful: true, ended: 0 });
    await mock.shutdown();
  }
  assert.equal(closed, true);
});

Deno.test("startGateway() shutdown lets an open stream finish", async () => {
  const { mock, config, log, env } = setup();
  const gw = await startGateway(config, { log, env, callers: configKeys() });
  try {
    const res = await chat(gw.url, { "x-mock-chunks": "6", "x-mock-chunk-delay-ms": "30" }, { stream: true });
    const reader = res.body!.getReader();
    await reader.read();
    const stopping = gw.shutdown(5000);
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    assert.ok(text.trimEnd().endsWith("data: [DONE]"));
    assert.deepEqual(await stopping, { graceful: true, ended: 0 });
  } finally {
    await mock.shutdown();
  }
});

Deno.test("startGateway() shutdown ends what is open at its deadline: error events, records, bounded close", async (t) => {
  const { mock, config, log, env, lines } = setup();
  const records: CallRecord[] = [];
  let closing = 0;
  const gw = await startGateway(config, {
    log,
    env,
    callers: configKeys(),
    sinks: [(r) => records.push(r)],
    // A sink that never finishes closing (a stuck log thread): the shutdown still returns.
    onClose: () => new Promise<void>(() => void closing++),
  });
  // A stream the client reads, and one it does not read.
  const read = await chat(gw.url, { "x-mock-chunks": "500", "x-mock-chunk-delay-ms": "40" }, {
    stream: true,
  });
  const idle = await fetch(`${gw.url}/v1/messages`, {
    method: "POST",
    headers: {
      "x-api-key": CALLER_KEY,
      "content-type": "application/json",
      "x-mock-chunks": "500",
      "x-mock-chunk-delay-ms": "40",
    },
    body: JSON.stringify({
      model: "gpt-4o",
      stream: true,
      max_tokens: 10,
      messages: [{ role: "user", content: "hi" }],
    }),
  });
  // A non-streaming call still waiting for its answer: not retried, answered 503.
  const waiting = chat(gw.url, { "x-mock-latency-ms": "60000" });
  await new Promise<void>((resolve) => {
    const check = () =>
      gw.metrics &&
      fetch(`${gw.url}/health`).then((r) => r.json()).then((h) =>
        h.in_flight >= 3 ? resolve() : setTimeout(check, 5)
      );
    check();
  });
  const reader = read.body!.getReader();
  await reader.read();
  const result = await gw.shutdown(50, { closeMs: 2_000, drainMs: 20 });
  assert.deepEqual(result, { graceful: false, ended: 3 });
  assert.equal(closing, 1);
  assert.match(lines.join("\n"), /did not finish closing the sinks in time/);
  await t.step("the stream being read gets the OpenAI error event", async () => {
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    assert.match(
      text,
      /data: \{"error":\{"message":"The gateway is shutting down[^\n]*"code":"shutdown"\}\}\n\n$/,
    );
  });
  await t.step("the idle stream gets the Anthropic error event after what was sent so far", async () => {
    const text = await idle.text();
    assert.match(text, /^event: message_start\n/);
    assert.match(
      text,
      /event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"The gateway is shutting down/,
    );
  });
  await t.step("the waiting call is answered 503 after one attempt", async () => {
    const res = await waiting;
    assert.equal(res.status, 503);
    assert.equal((await res.json()).error.code, "shutdown");
  });
  assert.equal(records.length, 3);
  for (const r of records) {
    assert.equal(r.status, 503);
    assert.equal(r.error?.code, "shutdown");
    assert.equal(r.attempts, 1);
  }
  await mock.shutdown();
});

/**
 * Retries, fallback and breakers against the real mock upstream and its fault injection (`x-mock-*`
 * headers), through a real socket. The gateway's clock is a fake the tests move; backoff is 0 ms so
 * nothing waits on a timer.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { serveMock } from "../../src/mock/mod.ts";
import type { CallRecord } from "../../src/core/record.ts";
import { createApp } from "../../src/server/app.ts";
import { CALLER_KEY, CALLER_SHA, testGeneration, UPSTREAM_KEY } from "../_helpers/app.ts";
import { azureUpstream, testConfig } from "../_helpers/config.ts";

async function start(breakerFailures = 100) {
  const mock = serveMock({ apiKey: UPSTREAM_KEY });
  const config = testConfig([
    azureUpstream(mock.url, { name: "east", deployments: [] }),
    azureUpstream(`http://localhost:${mock.port}`, { name: "west", deployments: [] }),
  ]);
  config.auth.keys = [{ id: "dev", sha256: CALLER_SHA }];
  config.models = [{
    name: "gpt-4o",
    strategy: "priority",
    aliases: [],
    targets: [
      { upstream: "east", deployment: "gpt-4o-east", weight: 1, priority: 0 },
      { upstream: "west", deployment: "gpt-4o-west", weight: 1, priority: 1 },
    ],
  }];
  config.routing = {
    retries: 2,
    backoffMs: 0,
    maxBackoffMs: 5000,
    breaker: { failures: breakerFailures, cooldownMs: 30_000 },
  };
  const clock = { t: 0 };
  const records: CallRecord[] = [];
  const waiters: (() => void)[] = [];
  const generation = await testGeneration(config, { env: () => UPSTREAM_KEY }, [(r) => {
    records.push(r);
    waiters.splice(0).forEach((w) => w());
  }]);
  const app = createApp({ pipeline: { ...generation.pipeline, clock: () => clock.t } });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app);
  const url = `http://127.0.0.1:${server.addr.port}`;
  let scenario = 0;
  return {
    url,
    mock,
    clock,
    records,
    /** Posts a chat call with `x-mock-*` headers (a fresh scenario id each call). */
    chat(mockHeaders: Record<string, string>, body: Record<string, unknown> = {}) {
      return fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${CALLER_KEY}`,
          "content-type": "application/json",
          "x-mock-scenario": `s${++scenario}`,
          ...mockHeaders,
        },
        body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "Hi" }], ...body }),
      });
    },
    recordsReached: (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => records.length >= n ? resolve() : waiters.push(check);
        check();
      }),
    async close() {
      await server.shutdown();
      generation.close();
      await mock.shutdown();
    },
  };
}

const deployments = (r: CallRecord) => r.tried!.map((t) => `${t.deployment}:${t.status ?? t.error}`);

/** Runs `fn` against a fresh mock and gateway. */
async function withGateway(
  fn: (gw: Awaited<ReturnType<typeof start>>) => Promise<void>,
  breakerFailures?: number,
) {
  const gw = await start(breakerFailures);
  try {
    await fn(gw);
  } finally {
    await gw.close();
  }
}

Deno.test("429 then success: the 429 moves on while another target is free", () =>
  withGateway(async (gw) => {
    const res = await gw.chat({
      "x-mock-fail-first": "1",
      "x-mock-status": "429",
      "x-mock-retry-after": "0",
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    const rec = gw.records.at(-1)!;
    assert.deepEqual(deployments(rec), ["gpt-4o-east:429", "gpt-4o-west:200"]);
    assert.equal(rec.attempts, 2);
  }));

Deno.test("500 storm on the first target: retries, then fallback", () =>
  withGateway(async (gw) => {
    const res = await gw.chat({ "x-mock-fail-first": "3", "x-mock-status": "500" });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).model, "gpt-4o-west");
    assert.deepEqual(deployments(gw.records.at(-1)!), [
      "gpt-4o-east:500",
      "gpt-4o-east:500",
      "gpt-4o-east:500",
      "gpt-4o-west:200",
    ]);
  }));

Deno.test("connection reset before the first byte: retried, streaming or not", () =>
  withGateway(async (gw) => {
    for (const stream of [false, true]) {
      const res = await gw.chat({ "x-mock-fail-first": "1", "x-mock-fault": "reset" }, { stream });
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.ok(text.includes("This is mock reply chunk 8."), text);
      const rec = gw.records.at(-1)!;
      assert.equal(rec.attempts, 2);
      assert.deepEqual(rec.tried!.map((t) => [t.deployment, t.status]), [["gpt-4o-east", null], [
        "gpt-4o-east",
        200,
      ]]);
      assert.match(rec.tried![0]!.error!, /upstream_unreachable: .*connection lost while reading/);
    }
  }));

Deno.test("reset mid-stream: the client gets an error event and the call is logged", () =>
  withGateway(async (gw) => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: CALLER_KEY, maxRetries: 0 });
    const stream = await client.chat.completions.create(
      { model: "gpt-4o", messages: [{ role: "user", content: "Hi" }], stream: true },
      { headers: { "x-mock-fault": "reset-mid-stream", "x-mock-reset-after-chunks": "3" } },
    );
    let text = "";
    await assert.rejects(
      (async () => {
        for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
      })(),
      (e: unknown) => e instanceof OpenAI.APIError && /connection lost/.test(e.message),
    );
    assert.ok(text.startsWith("This is mock reply chunk 1."));
    await gw.recordsReached(1);
    const rec = gw.records[0]!;
    assert.equal(rec.status, 502);
    assert.equal(rec.error?.code, "upstream_unreachable");
    assert.equal(rec.attempts, 1, "nothing is retried once bytes reached the client");
    assert.ok(rec.assembled!.content.startsWith("This is mock reply chunk 1."));
  }));

Deno.test("the breaker opens after 3 failures and recovers after the cooldown (fake clock)", () =>
  withGateway(async (gw) => {
    await (await gw.chat({ "x-mock-fail-first": "3", "x-mock-status": "503" })).body?.cancel();
    const open = await gw.chat({});
    await open.body?.cancel();
    assert.deepEqual(deployments(gw.records.at(-1)!), ["gpt-4o-east:breaker_open", "gpt-4o-west:200"]);
    gw.clock.t += 29_999;
    await (await gw.chat({})).body?.cancel();
    assert.equal(gw.records.at(-1)!.tried![0]!.error, "breaker_open");
    gw.clock.t += 1;
    const probe = await gw.chat({});
    assert.equal((await probe.json()).model, "gpt-4o-east", "the half-open probe succeeds");
    await (await gw.chat({})).body?.cancel();
    assert.deepEqual(deployments(gw.records.at(-1)!), ["gpt-4o-east:200"], "closed again");
  }, 3));

Deno.test("every target cooling down: 429 with Retry-After of the earliest one", () =>
  withGateway(async (gw) => {
    const first = await gw.chat({ "x-mock-status": "429", "x-mock-retry-after": "30" });
    assert.equal(first.status, 429, "the upstream's 429 passes through");
    assert.equal(first.headers.get("retry-after"), "30");
    assert.equal(first.headers.get("retry-after-ms"), "30000");
    assert.equal(first.headers.get("x-ratelimit-remaining-requests"), "999");
    await first.body?.cancel();
    gw.clock.t += 5_000;
    const second = await gw.chat({});
    assert.equal(second.status, 429);
    assert.equal(second.headers.get("retry-after"), "25");
    assert.equal((await second.json()).error.code, "upstreams_unavailable");
    assert.equal(gw.records.at(-1)!.attempts, 0);
    gw.clock.t += 25_000;
    assert.equal((await gw.chat({})).status, 200);
  }));

import assert from "node:assert/strict";
import { EventBus } from "../../src/events/bus.ts";
import { BUDGET_WEBHOOK_SINK } from "../../src/events/sinks.ts";
import { createCostControl } from "../../src/cost/control.ts";
import { Registry } from "../../src/observability/registry.ts";
import { caller, callRecord, costConfig, FLAT_PRICING, NOW } from "../cost/_util.ts";
import { instantRetry, jsonl, receiver } from "./_helpers.ts";
import { verifyWebhook } from "../../src/events/sign.ts";

const SECRET = "whsec_AQIDBAUGBwgJCgsMDQ4PEA==";

Deno.test("EventBus emits call records to a file sink: metadata only, the call's id", async () => {
  const dir = await Deno.makeTempDir();
  const config = costConfig({
    events: {
      dead_letter_dir: `${dir}/dl`,
      sinks: [{ type: "file", path: `${dir}/ev`, flush_interval_ms: 1 }],
    },
  });
  const bus = await EventBus.open(config, { retry: instantRetry() });
  const record = callRecord({
    requestBody: new TextEncoder().encode('{"secret":"prompt"}'),
    responseBody: new TextEncoder().encode('{"answer":"private"}'),
    error: { type: "upstream_error", code: "x", message: "echo of the prompt" },
    costEur: 0.5,
  });
  bus.callSink(record);
  await bus.close(5_000);
  const [event] = await jsonl(`${dir}/ev/events-20261125.jsonl`);
  assert.equal(event!.id, record.id);
  assert.equal(event!.type, "azmw.call.completed");
  assert.equal(event!.source, "/azmw/test");
  assert.equal(event!.specversion, "1.0");
  const data = event!.data as Record<string, unknown>;
  assert.deepEqual(data.error, { type: "upstream_error" });
  assert.equal(data.cost_eur, 0.5);
  const text = JSON.stringify(event);
  for (const secret of ["prompt", "private", "request", "response"]) {
    assert.ok(!text.includes(secret), secret);
  }
});

Deno.test("EventBus delivers only the types a sink asks for, and counts them", async () => {
  const dir = await Deno.makeTempDir();
  const config = costConfig({
    events: {
      dead_letter_dir: `${dir}/dl`,
      sinks: [{ type: "file", path: dir, types: ["azmw.config.reloaded"], flush_interval_ms: 1 }],
    },
  });
  const bus = await EventBus.open(config, { retry: instantRetry(), now: () => NOW });
  const registry = new Registry();
  bus.metrics.register(registry);
  assert.ok(!bus.wants("azmw.call.completed"));
  bus.callSink(callRecord());
  bus.emit("azmw.config.reloaded", { config: "x.yaml" });
  await bus.close(5_000);
  const lines = await jsonl(
    `${dir}/events-${new Date().toISOString().slice(0, 10).replaceAll("-", "")}.jsonl`,
  );
  assert.deepEqual(lines.map((e) => e.type), ["azmw.config.reloaded"]);
  const text = registry.render();
  assert.match(text, /azmw_events_emitted_total\{type="azmw.config.reloaded"\} 1/);
  assert.match(text, /azmw_events_delivered_total\{sink="file"\} 1/);
  assert.match(text, /azmw_events_queue_depth\{sink="file"\} 0/);
});

Deno.test("budget.webhook keeps working as a sink of the bus: the old alert JSON, posted once", async () => {
  const r = receiver();
  try {
    const config = costConfig({
      pricing: FLAT_PRICING,
      budget: { daily_eur: 0.02, alert_thresholds: [0.5], webhook: { url: `${r.url}/hook` } },
      events: { dead_letter_dir: Deno.makeTempDirSync() },
    });
    const bus = await EventBus.open(config, { retry: instantRetry() });
    assert.deepEqual(bus.queues.map((q) => q.sink.name), [BUDGET_WEBHOOK_SINK]);
    const cost = createCostControl(config, {
      now: () => NOW,
      tokenizer: false,
      emit: (p) => bus.emit("azmw.budget.threshold", p, { subject: p.scope }),
      fetch: () => Promise.reject(new Error("the cost control must not post itself")),
    });
    const admission = cost.admit(caller(), { model: "m", body: { max_tokens: 1 }, operation: "chat" });
    admission.settle(
      callRecord({
        usage: {
          promptTokens: 10,
          completionTokens: 0,
          cachedTokens: 0,
          reasoningTokens: 0,
          totalTokens: 10,
          cacheWriteTokens: 0,
        },
      }),
    );
    await r.reached(1);
    await bus.close(5_000);
    assert.equal(r.received.length, 1);
    const body = JSON.parse(r.received[0]!.body);
    assert.equal(body.event, "azmw.cost_alert");
    assert.equal(body.scope, "global");
    assert.equal(body.threshold, 0.5);
  } finally {
    await r.close();
  }
});

Deno.test("EventBus resolves a webhook sink's secrets and signs its batches", async () => {
  const r = receiver();
  try {
    const config = costConfig({
      events: {
        dead_letter_dir: Deno.makeTempDirSync(),
        sinks: [{ type: "webhook", url: "env:HOOK_URL", secret: "env:HOOK_SECRET", flush_interval_ms: 1 }],
      },
    });
    const env = (n: string) =>
      ({ HOOK_URL: `${r.url}/in`, HOOK_SECRET: SECRET } as Record<string, string>)[n];
    const bus = await EventBus.open(config, { retry: instantRetry(), env });
    bus.emit("azmw.log.dropped", { dropped: 2, total: 2 });
    await r.reached(1);
    await bus.close(5_000);
    const got = r.received[0]!;
    assert.ok(
      await verifyWebhook(SECRET, {
        id: got.req.headers.get("webhook-id")!,
        timestamp: got.req.headers.get("webhook-timestamp")!,
        signature: got.req.headers.get("webhook-signature")!,
        body: got.body,
      }),
    );
    assert.equal(JSON.parse(got.body)[0].type, "azmw.log.dropped");
  } finally {
    await r.close();
  }
});

Deno.test("EventBus.open() names the key path of a secret it cannot resolve", async () => {
  const config = costConfig({
    events: {
      dead_letter_dir: "/nonexistent",
      sinks: [{ type: "otlp", endpoint: "http://127.0.0.1:4318", headers: { authorization: "env:NOPE" } }],
    },
  });
  await assert.rejects(
    EventBus.open(config, { env: () => undefined }),
    /events\.sinks\[0\]\.headers\.authorization/,
  );
});

Deno.test("EventBus with bus redis sends events to the gateway's stream only", async () => {
  const prefix = `azmw-test:${crypto.randomUUID()}:`;
  const dir = await Deno.makeTempDir();
  const config = costConfig({
    shared: { redis: "redis://127.0.0.1:6379" },
    events: {
      bus: "redis",
      redis: { prefix },
      dead_letter_dir: `${dir}/dl`,
      sinks: [{ type: "file", path: dir, types: ["azmw.log.dropped"] }],
    },
  });
  const bus = await EventBus.open(config, { retry: instantRetry() });
  assert.deepEqual(bus.queues.map((q) => q.sink.name), ["redis"]);
  assert.ok(!bus.wants("azmw.call.completed"));
  bus.emit("azmw.log.dropped", { dropped: 1, total: 1 });
  await bus.close(5_000);
  const { connectRedis } = await import("../../src/events/redis_client.ts");
  const { client, ready } = await connectRedis("redis://127.0.0.1:6379");
  await ready;
  try {
    const entries = await client.xRange(`${prefix}test`, "-", "+");
    assert.equal(JSON.parse(entries[0]!.message.event!).type, "azmw.log.dropped");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), []);
  } finally {
    await client.del([`${prefix}test`, `${prefix}streams`]);
    client.destroy();
  }
});

Deno.test("EventBus.open() refuses a whsec_ secret that is not base64, naming its key", async () => {
  const config = costConfig({
    events: { sinks: [{ type: "webhook", url: "https://example.com/h", secret: "env:S" }] },
  });
  await assert.rejects(
    EventBus.open(config, { env: () => "whsec_not*base64" }),
    /events\.sinks\[0\]\.secret: Invalid webhook secret/,
  );
});

Deno.test("secretRefs() lists the event sinks' and shared.redis references", async () => {
  const { secretRefs } = await import("../../src/config/secrets.ts");
  const config = costConfig({
    shared: { redis: "env:R" },
    events: {
      sinks: [
        { type: "webhook", url: "env:U", secret: "env:S", headers: { authorization: "env:A" } },
        { type: "otlp", endpoint: "file:/run/otlp" },
        { type: "file", path: "x" },
      ],
    },
  });
  assert.deepEqual(secretRefs(config).map((r) => r.path), [
    "shared.redis",
    "events.sinks[0].url",
    "events.sinks[0].secret",
    "events.sinks[0].headers.authorization",
    "events.sinks[1].endpoint",
  ]);
});

import assert from "node:assert/strict";
import { BATCH_CONTENT_TYPE } from "../../src/events/event.ts";
import { importSigningKey, secretBytes, signWebhook, verifyWebhook } from "../../src/events/sign.ts";
import { DeliveryError } from "../../src/events/sink.ts";
import { createFileSink } from "../../src/events/sink_file.ts";
import { createOtlpSink } from "../../src/events/sink_otlp.ts";
import { createWebhookSink, messageId } from "../../src/events/sink_webhook.ts";
import { events, jsonl, receiver } from "./_helpers.ts";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

Deno.test("signWebhook() matches the Standard Webhooks reference vector", async () => {
  const sig = await signWebhook(await importSigningKey(SECRET), {
    id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
  });
  assert.equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
});

Deno.test("secretBytes() decodes whsec_ secrets and takes others as UTF-8", () => {
  assert.deepEqual(secretBytes("whsec_AQID"), new Uint8Array([1, 2, 3]));
  assert.deepEqual(secretBytes("abc"), new TextEncoder().encode("abc"));
  assert.throws(() => secretBytes("whsec_!!"), /Invalid webhook secret/);
});

Deno.test("webhook sink posts signed CloudEvents batches a receiver can verify", async () => {
  const r = receiver();
  try {
    const sink = createWebhookSink({
      name: "hook",
      url: `${r.url}/in`,
      secret: SECRET,
      headers: { "x-extra": "1" },
    });
    const batch = events(3);
    await sink.deliver(batch, new AbortController().signal);
    await sink.deliver(batch, new AbortController().signal);
    const [first, again] = r.received;
    assert.equal(first!.req.headers.get("content-type"), BATCH_CONTENT_TYPE);
    assert.equal(first!.req.headers.get("x-extra"), "1");
    assert.deepEqual(JSON.parse(first!.body).map((e: { id: string }) => e.id), ["e0", "e1", "e2"]);
    const id = first!.req.headers.get("webhook-id")!;
    assert.equal(id, await messageId(batch));
    // A retry of the same batch is the same message.
    assert.equal(again!.req.headers.get("webhook-id"), id);
    const message = {
      id,
      timestamp: first!.req.headers.get("webhook-timestamp")!,
      signature: first!.req.headers.get("webhook-signature")!,
      body: first!.body,
    };
    assert.ok(await verifyWebhook(SECRET, message));
    assert.ok(!(await verifyWebhook(SECRET, { ...message, body: first!.body + " " })));
    assert.ok(!(await verifyWebhook("whsec_AQID", message)));
    assert.ok(!(await verifyWebhook(SECRET, message, { nowS: Number(message.timestamp) + 301 })));
  } finally {
    await r.close();
  }
});

Deno.test("webhook sink maps statuses to retryable or refused", async (t) => {
  let status = 503;
  const r = receiver(() => new Response("no", { status }));
  const sink = createWebhookSink({ name: "hook", url: r.url });
  const fail = async () => {
    try {
      await sink.deliver(events(1), new AbortController().signal);
    } catch (err) {
      return err as DeliveryError;
    }
    throw new Error("delivered");
  };
  try {
    for (
      const [s, retryable] of [[503, true], [429, true], [408, true], [400, false], [401, false]] as const
    ) {
      await t.step(`status ${s}`, async () => {
        status = s;
        const err = await fail();
        assert.ok(err instanceof DeliveryError);
        assert.equal(err.retryable, retryable);
        assert.match(err.message, new RegExp(`status ${s}`));
      });
    }
  } finally {
    await r.close();
  }
  await t.step("connection refused is retryable", async () => {
    const err = await fail();
    assert.equal(err.retryable, true);
    assert.match(err.message, /^Cannot reach the webhook of sink "hook"/);
  });
});

Deno.test("webhook sink times out a receiver that never answers", async () => {
  const hang = Promise.withResolvers<Response>();
  const sink = createWebhookSink({
    name: "hook",
    url: "http://127.0.0.1:1/",
    timeoutMs: 5,
    fetch: (_u, init) =>
      new Promise((_, reject) => init.signal!.addEventListener("abort", () => reject(init.signal!.reason))),
  });
  await assert.rejects(sink.deliver(events(1), new AbortController().signal), /TimeoutError/);
  hang.resolve(new Response());
});

Deno.test("webhook sink in data mode posts each event's data alone", async () => {
  const r = receiver();
  try {
    const sink = createWebhookSink({ name: "legacy", url: r.url, body: "data" });
    await sink.deliver(events(2), new AbortController().signal);
    assert.deepEqual(r.received.map((x) => JSON.parse(x.body)), [{ i: 0 }, { i: 1 }]);
    assert.equal(r.received[0]!.req.headers.get("content-type"), "application/json");
    assert.equal(r.received[0]!.req.headers.get("webhook-signature"), null);
  } finally {
    await r.close();
  }
});

Deno.test("OTLP sink exports a batch as OTLP/HTTP JSON logs to /v1/logs", async () => {
  const r = receiver(() => Response.json({ partialSuccess: {} }));
  try {
    const sink = createOtlpSink({ name: "otlp", endpoint: r.url, instance: "gw1", now: () => 1_000 });
    await sink.deliver(events(2), new AbortController().signal);
    const [got] = r.received;
    assert.equal(new URL(got!.req.url).pathname, "/v1/logs");
    assert.equal(got!.req.headers.get("content-type"), "application/json");
    const body = JSON.parse(got!.body);
    const resource = body.resourceLogs[0].resource.attributes;
    assert.deepEqual(resource.find((a: { key: string }) => a.key === "service.instance.id").value, {
      stringValue: "gw1",
    });
    const logs = body.resourceLogs[0].scopeLogs[0].logRecords;
    assert.equal(logs.length, 2);
    assert.equal(logs[1].body.stringValue, '{"i":1}');
    assert.equal(logs[1].observedTimeUnixNano, "1000000000");
    assert.deepEqual(
      logs[1].attributes.find((a: { key: string }) => a.key === "cloudevents.event_id").value,
      { stringValue: "e1" },
    );
  } finally {
    await r.close();
  }
});

Deno.test("OTLP sink reports a collector error as retryable", async () => {
  const r = receiver(() => new Response("busy", { status: 503 }));
  try {
    const sink = createOtlpSink({ name: "otlp", endpoint: r.url });
    await assert.rejects(sink.deliver(events(1), new AbortController().signal), (err: DeliveryError) => {
      assert.equal(err.retryable, true);
      return true;
    });
  } finally {
    await r.close();
  }
});

Deno.test("file sink appends JSONL rotated by the event's day", async () => {
  const dir = await Deno.makeTempDir();
  const sink = createFileSink({ name: "file", dir: `${dir}/ev`, timezone: "Europe/Berlin" });
  const [a, b] = events(2);
  a!.time = "2026-12-03T22:30:00.000Z"; // 23:30 in Berlin
  b!.time = "2026-12-03T23:30:00.000Z"; // 00:30 on the 4th in Berlin
  await sink.deliver([a!, b!], new AbortController().signal);
  await sink.deliver([b!], new AbortController().signal);
  assert.deepEqual((await jsonl(`${dir}/ev/events-20261203.jsonl`)).map((e) => e.id), ["e0"]);
  assert.deepEqual((await jsonl(`${dir}/ev/events-20261204.jsonl`)).map((e) => e.id), ["e1", "e1"]);
});

Deno.test("file sink reports a folder it cannot write as retryable", async () => {
  const file = await Deno.makeTempFile();
  const sink = createFileSink({ name: "file", dir: `${file}/x` });
  await assert.rejects(sink.deliver(events(1), new AbortController().signal), (err: DeliveryError) => {
    assert.equal(err.retryable, true);
    assert.match(err.message, /^Cannot write events to/);
    return true;
  });
});

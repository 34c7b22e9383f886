import assert from "node:assert/strict";
import { BODY_RATE_UNIT, BodyWatch, parseJsonObject, readBody } from "../../src/pipeline/body.ts";
import type { GatewayError } from "../../src/core/errors.ts";

const enc = new TextEncoder();

function streamOf(...parts: string[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(parts.map((p) => enc.encode(p)));
}

Deno.test("readBody() reads declared and chunked bodies", async () => {
  const a = await readBody(new Request("http://x", { method: "POST", body: '{"a":1}' }), 100);
  assert.equal(new TextDecoder().decode(a), '{"a":1}');
  const b = await readBody(
    new Request("http://x", { method: "POST", body: streamOf("{", '"a"', ":2}") }),
    100,
  );
  assert.equal(new TextDecoder().decode(b), '{"a":2}');
  const c = await readBody(new Request("http://x", { method: "POST", body: streamOf('{"b":3}') }), 100);
  assert.equal(new TextDecoder().decode(c), '{"b":3}');
  assert.equal((await readBody(new Request("http://x", { method: "POST" }), 10)).byteLength, 0);
});

Deno.test("readBody() reads a large declared body chunk by chunk, whole", async () => {
  const big = new Uint8Array(1_000_000).map((_, i) => i % 251);
  const parts = [big.subarray(0, 300_000), big.subarray(300_000, 700_000), big.subarray(700_000)];
  const req = new Request("http://x", {
    method: "POST",
    body: ReadableStream.from(parts),
    headers: { "content-length": String(big.length) },
  });
  assert.deepEqual(await readBody(req, 2_000_000), big);
});

for (const kind of ["byte", "plain"] as const) {
  Deno.test(`readBody() returns what came of a large body shorter than declared, and refuses a longer one (${kind} stream)`, async () => {
    const big = new Uint8Array(400_000).map((_, i) => i % 253);
    const parts = [big.subarray(0, 300_000), big.subarray(300_000)];
    const stream = () =>
      kind === "plain" ? ReadableStream.from(parts) : new ReadableStream({
        type: "bytes",
        start(c) {
          for (const p of parts) c.enqueue(p.slice());
          c.close();
        },
      });
    const declared = (n: number) =>
      new Request("http://x", { method: "POST", body: stream(), headers: { "content-length": String(n) } });
    assert.deepEqual(await readBody(declared(400_000), 1_000_000), big);
    assert.deepEqual(await readBody(declared(500_000), 1_000_000), big);
    for (const n of [350_000, 399_999]) {
      await assert.rejects(() => readBody(declared(n), 1_000_000), (e: GatewayError) => {
        assert.equal(e.status, 400);
        assert.equal(e.code, "invalid_request_body");
        assert.match(e.message, new RegExp(`longer than its content-length of ${n} bytes`));
        return true;
      });
    }
  });
}

Deno.test("readBody() reads a large body to its end, so a kept-alive connection serves the next request", async () => {
  const got: { size: number; ok: boolean; port: number }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req, info) => {
    const bytes = await readBody(req, 2_000_000);
    got.push({ size: bytes.byteLength, ok: bytes.every((b) => b === 65), port: info.remoteAddr.port });
    return new Response("ok");
  });
  const client = Deno.createHttpClient({});
  try {
    for (let i = 0; i < 2; i++) {
      const body = new Uint8Array(1_000_000).fill(65);
      const res = await fetch(`http://127.0.0.1:${server.addr.port}/`, { method: "POST", body, client });
      assert.equal(await res.text(), "ok");
    }
  } finally {
    client.close();
    await server.shutdown();
  }
  assert.deepEqual(got.map((g) => [g.size, g.ok]), [[1_000_000, true], [1_000_000, true]]);
  assert.equal(got[0]!.port, got[1]!.port, "both requests came on one connection");
});

Deno.test("readBody() refuses bodies over the limit with 413", async () => {
  await assert.rejects(
    () =>
      readBody(
        new Request("http://x", {
          method: "POST",
          body: "x".repeat(20),
          headers: { "content-length": "20" },
        }),
        10,
      ),
    (e: GatewayError) => e.status === 413 && e.message.includes("10 bytes"),
  );
  await assert.rejects(
    () =>
      readBody(new Request("http://x", { method: "POST", body: streamOf("x".repeat(8), "x".repeat(8)) }), 10),
    (e: GatewayError) => e.status === 413,
  );
});

Deno.test("parseJsonObject() explains bad bodies without echoing them", () => {
  assert.deepEqual(parseJsonObject(enc.encode('{"model":"m"}')), { model: "m" });
  assert.throws(
    () => parseJsonObject(new Uint8Array()),
    (e: GatewayError) => e.code === "invalid_request_body",
  );
  assert.throws(
    () => parseJsonObject(enc.encode("[1]")),
    (e: GatewayError) => e.code === "invalid_request_body",
  );
  assert.throws(
    () => parseJsonObject(enc.encode("null")),
    (e: GatewayError) => e.code === "invalid_request_body",
  );
  assert.throws(() => parseJsonObject(enc.encode("sk-secret-value-123")), (e: GatewayError) => {
    assert.equal(e.status, 400);
    assert.equal(e.code, "invalid_json");
    assert.ok(!e.message.includes("secret"), e.message);
    return true;
  });
  assert.throws(() => parseJsonObject(enc.encode('{"a":')), (e: GatewayError) => e.code === "invalid_json");
});

Deno.test("readBody() fails a chunked body that stalls past the idle timeout with 408", async () => {
  let now = 0;
  const second = Promise.withResolvers<void>();
  let reads = 0;
  const watch = new (class extends BodyWatch {
    override watch<T>(read: Promise<T>, budgetMs: number): Promise<T> {
      if (++reads === 2) second.resolve();
      return super.watch(read, budgetMs);
    }
  })(1000, { clock: () => now });
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode('{"a":'));
    },
    cancel() {
      cancelled = true;
    },
  });
  const reading = readBody(
    new Request("http://x", { method: "POST", body, duplex: "half" } as RequestInit),
    100,
    watch,
  );
  await second.promise;
  now = 999;
  watch.sweep();
  now = 1001;
  watch.sweep();
  await assert.rejects(reading, (err: GatewayError) => {
    assert.equal(err.status, 408);
    assert.equal(err.code, "request_body_timeout");
    assert.match(err.message, /server\.body_idle_timeout_ms/);
    return true;
  });
  assert.equal(cancelled, true);
});

Deno.test("readBody() gives a declared-length body one idle timeout per 64 KiB", async () => {
  let now = 0;
  const watch = new BodyWatch(1000, { clock: () => now });
  const never = new Promise<ArrayBuffer>(() => {});
  const req = {
    headers: new Headers({ "content-length": String(BODY_RATE_UNIT * 2 + 1) }),
    arrayBuffer: () => never,
  } as unknown as Request;
  const reading = readBody(req, 10 * BODY_RATE_UNIT, watch);
  now = 2999;
  watch.sweep();
  now = 3001;
  watch.sweep();
  await assert.rejects(reading, (err: GatewayError) => err.status === 408);
  // A body that arrives in time resolves and leaves nothing pending (the timer stops).
  const ok = await readBody(new Request("http://x", { method: "POST", body: "{}" }), 100, watch);
  assert.equal(new TextDecoder().decode(ok), "{}");
  watch.sweep();
});

import assert from "node:assert/strict";
import { BodyBudget } from "../../src/pipeline/body_budget.ts";
import { BodyWatch, CLOSE_AFTER_RESPONSE, LARGE_BODY_BYTES, readBody } from "../../src/pipeline/body.ts";
import type { GatewayError } from "../../src/core/errors.ts";

const request = () => new Request("http://x", { method: "POST" });

/** Settles `p` into "pending", "ok" or the error's code, after pending callbacks have run. */
async function state(p: Promise<void>): Promise<string> {
  let s = "pending";
  p.then(() => s = "ok", (e: GatewayError) => s = e.code);
  await new Promise((r) => setTimeout(r, 0));
  return s;
}

Deno.test("BodyBudget counts what each request holds and takes it all back on release", async () => {
  const budget = new BodyBudget(100, { waitMs: 1000 });
  const a = request();
  const b = request();
  await budget.take(a, 40);
  assert.equal(budget.tryTake(a, 20), true);
  await budget.take(b, 40);
  assert.equal(budget.used, 100);
  assert.equal(budget.tryTake(b, 1), false, "no room left");
  budget.release(a);
  assert.equal(budget.used, 40);
  budget.release(a);
  budget.release(request());
  assert.equal(budget.used, 40, "releasing twice, or what a request never held, gives nothing back");
  budget.release(b);
  assert.equal(budget.used, 0);
});

Deno.test("BodyBudget gives a large body's memory back on release, and leaves any other body alone", async () => {
  const budget = new BodyBudget(LARGE_BODY_BYTES * 4, { waitMs: 1000 });
  const n = LARGE_BODY_BYTES + 1;
  const held = big(n, { "content-length": String(n) });
  const bytes = await readBody(held, 2 * n, undefined, budget);
  const small = new Uint8Array(10);
  budget.release(request(), small);
  assert.equal(small.byteLength, 10, "a request that holds no room keeps its body");
  budget.release(held, bytes);
  assert.equal(bytes.byteLength, 0, "the buffer is detached");
  assert.ok(bytes.buffer.detached);
  assert.equal(budget.used, 0);
  budget.release(held, bytes);
  assert.equal(budget.used, 0, "a second release changes nothing");
});

Deno.test("BodyBudget lets waiters in first come first served as room is given back", async () => {
  const budget = new BodyBudget(100, { waitMs: 1000 });
  const [a, b, c] = [request(), request(), request()];
  await budget.take(a, 60);
  const big = budget.take(b, 60);
  const small = budget.take(c, 10);
  assert.equal(await state(big), "pending");
  assert.equal(await state(small), "pending", "a small body waits behind the big one, though it would fit");
  assert.equal(budget.tryTake(request(), 10), false, "nobody passes the queue");
  budget.release(a);
  assert.equal(await state(big), "ok");
  assert.equal(await state(small), "ok");
  assert.equal(budget.used, 70);
  assert.equal(budget.waiting, 0);
  budget.release(b);
  budget.release(c);
  assert.equal(budget.used, 0);
});

Deno.test("BodyBudget fails a wait past waitMs with 503 server_busy and lets the next waiter in", async () => {
  let now = 0;
  const budget = new BodyBudget(100, { waitMs: 1000, clock: () => now });
  const [a, b, c] = [request(), request(), request()];
  await budget.take(a, 50);
  const first = budget.take(b, 80);
  now = 500;
  const second = budget.take(c, 50);
  now = 1001;
  budget.sweep();
  await assert.rejects(first, (e: GatewayError) => {
    assert.equal(e.status, 503);
    assert.equal(e.code, "server_busy");
    assert.equal(e.headers["retry-after"], "1");
    assert.match(e.message, /server\.max_buffered_body_bytes/);
    return true;
  });
  assert.equal(await state(second), "ok", "the room the first waiter did not get goes to the next");
  assert.equal(budget.used, 100);
  assert.equal(budget.waiting, 0);
  budget.release(a);
  budget.release(c);
  assert.equal(budget.used, 0);
});

Deno.test("BodyBudget ends a wait when the client leaves or the shutdown grace ends, holding nothing", async () => {
  const stop = new AbortController();
  const budget = new BodyBudget(10, { waitMs: 60_000, shutdown: stop.signal });
  const holder = request();
  await budget.take(holder, 10);
  const client = new AbortController();
  const leaving = budget.take(new Request("http://x", { method: "POST", signal: client.signal }), 5);
  const staying = budget.take(request(), 5);
  client.abort();
  await assert.rejects(leaving, (e: GatewayError) => e.status === 499 && e.code === "client_closed");
  assert.equal(budget.waiting, 1);
  stop.abort();
  await assert.rejects(staying, (e: GatewayError) => e.status === 503 && e.code === "shutdown");
  assert.equal(budget.waiting, 0);
  budget.release(holder);
  assert.equal(budget.used, 0);
});

const big = (n: number, headers: Record<string, string> = {}, parts = 3) => {
  const bytes = new Uint8Array(n).fill(1);
  const size = Math.ceil(n / parts);
  const chunks = Array.from({ length: parts }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
  return new Request("http://x", { method: "POST", body: ReadableStream.from(chunks), headers });
};

Deno.test("readBody() holds room for a large body until released, and gives it back when the read fails", async () => {
  const n = LARGE_BODY_BYTES + 1;
  const budget = new BodyBudget(10 * n, { waitMs: 1000 });
  const ok = big(n, { "content-length": String(n) });
  assert.equal((await readBody(ok, 10 * n, undefined, budget)).byteLength, n);
  assert.equal(budget.used, n, "held until the call ends");
  budget.release(ok);
  await assert.rejects(
    () => readBody(big(2 * n, { "content-length": String(n) }), 10 * n, undefined, budget),
    (e: GatewayError) => e.status === 400,
  );
  await assert.rejects(
    () => readBody(big(3 * n), 2 * n, undefined, budget),
    (e: GatewayError) => e.status === 413,
  );
  assert.equal(budget.used, 0, "failed reads hold nothing");
  const chunked = big(n);
  assert.equal((await readBody(chunked, 10 * n, undefined, budget)).byteLength, n);
  assert.equal(budget.used, n, "a chunked body past 256 KiB holds what it read");
  budget.release(chunked);
  const small = big(1000, { "content-length": "1000" });
  await readBody(small, 10 * n, undefined, budget);
  assert.equal(budget.used, 0, "small bodies are not counted");
});

Deno.test("readBody() answers 503 server_busy and closes the connection when a body finds no room", async () => {
  const n = LARGE_BODY_BYTES + 1;
  let now = 0;
  const budget = new BodyBudget(n, { waitMs: 100, clock: () => now });
  const holder = big(n, { "content-length": String(n) });
  await readBody(holder, 2 * n, undefined, budget);
  const declared = big(n, { "content-length": String(n) });
  const waiting = readBody(declared, 2 * n, undefined, budget);
  const chunked = big(n);
  await assert.rejects(readBody(chunked, 2 * n, undefined, budget), (e: GatewayError) => {
    assert.equal(e.status, 503);
    assert.equal(e.code, "server_busy");
    assert.equal(e.headers.connection, "close");
    return true;
  });
  assert.ok(CLOSE_AFTER_RESPONSE.has(chunked));
  now = 101;
  budget.sweep();
  await assert.rejects(waiting, (e: GatewayError) => e.code === "server_busy");
  assert.ok(CLOSE_AFTER_RESPONSE.has(declared));
  budget.release(holder);
  assert.equal(budget.used, 0);
});

Deno.test("readBody() gives the room back when a large body stalls past the idle timeout or its client leaves", async () => {
  const n = LARGE_BODY_BYTES + 1;
  let now = 0;
  const watch = new BodyWatch(1000, { clock: () => now });
  const budget = new BodyBudget(n, { waitMs: 60_000, clock: () => now });
  const stalled = new Request("http://x", {
    method: "POST",
    headers: { "content-length": String(n) },
    body: new ReadableStream({ start: (c) => c.enqueue(new Uint8Array(1000)) }),
  });
  const reading = readBody(stalled, 2 * n, watch, budget);
  const next = big(n, { "content-length": String(n) });
  const waiting = readBody(next, 2 * n, watch, budget);
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(budget.waiting, 1);
  now = 1001;
  watch.sweep();
  await assert.rejects(reading, (e: GatewayError) => e.status === 408);
  assert.equal((await waiting).byteLength, n, "the room the stalled body held went to the next one");
  budget.release(next);
  const broken = new Request("http://x", {
    method: "POST",
    headers: { "content-length": String(n) },
    body: new ReadableStream({
      start: (c) => c.enqueue(new Uint8Array(1000)),
      pull: (c) => c.error(new TypeError("connection reset")),
    }),
  });
  await assert.rejects(readBody(broken, 2 * n, watch, budget), /connection reset/);
  assert.equal(budget.used, 0);
});

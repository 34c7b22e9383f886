import assert from "node:assert/strict";
import { Breaker } from "../../src/pipeline/breaker.ts";

Deno.test("Breaker opens after N consecutive failures and lets one probe through after the cooldown", () => {
  const b = new Breaker({ failures: 3, cooldownMs: 1000 });
  b.failure(0);
  b.failure(1);
  b.success();
  b.failure(2);
  b.failure(3);
  assert.equal(b.state(3), "closed", "a success resets the count");
  b.failure(4);
  assert.equal(b.state(4), "open");
  assert.deepEqual(b.admit(500), { ok: false, reason: "breaker_open", until: 1004 });
  assert.equal(b.state(1004), "half_open");
  assert.deepEqual(b.admit(1004), { ok: true, probe: true });
  assert.deepEqual(b.admit(1005), { ok: false, reason: "breaker_open", until: 2005 }, "a single probe");
  b.success();
  assert.equal(b.state(1006), "closed");
  assert.deepEqual(b.admit(1006), { ok: true, probe: false });
});

Deno.test("Breaker re-opens when the probe fails, and frees the slot when it has no verdict", () => {
  const b = new Breaker({ failures: 1, cooldownMs: 100 });
  b.failure(0);
  assert.equal(b.admit(100).ok, true);
  b.failure(100);
  assert.deepEqual(b.admit(150), { ok: false, reason: "breaker_open", until: 200 });
  assert.equal(b.admit(200).ok, true);
  b.release();
  assert.deepEqual(b.peek(201), { ok: true, probe: true }, "released: the next call may probe");
});

Deno.test("Breaker cools down until a 429's Retry-After without counting a failure", () => {
  const b = new Breaker({ failures: 1, cooldownMs: 100 });
  b.coolDown(5000);
  b.coolDown(3000);
  assert.deepEqual(b.admit(10), { ok: false, reason: "cooling_down", until: 5000 });
  assert.equal(b.state(10), "closed");
  assert.deepEqual(b.admit(5000), { ok: true, probe: false });
});

Deno.test("Breaker with failures: 0 never opens", () => {
  const b = new Breaker({ failures: 0, cooldownMs: 100 });
  for (let i = 0; i < 50; i++) b.failure(i);
  assert.equal(b.state(50), "closed");
});

import assert from "node:assert/strict";
import { backoffDelay, isRetryableStatus, realSleep, retryAfterMs } from "../../src/pipeline/retry.ts";
import type { GatewayError } from "../../src/core/errors.ts";

Deno.test("isRetryableStatus() retries 429 and 5xx except 501", () => {
  for (const s of [429, 500, 502, 503, 504, 529]) assert.equal(isRetryableStatus(s), true, String(s));
  for (const s of [200, 400, 401, 403, 404, 408, 413, 501]) {
    assert.equal(isRetryableStatus(s), false, String(s));
  }
});

Deno.test("backoffDelay() grows exponentially, is capped and fully jittered", () => {
  const policy = { retries: 5, backoffMs: 200, maxBackoffMs: 1000 };
  assert.equal(backoffDelay(policy, 1, () => 0.999999), 199);
  assert.equal(backoffDelay(policy, 2, () => 0.5), 200);
  assert.equal(backoffDelay(policy, 3, () => 0.5), 400);
  assert.equal(backoffDelay(policy, 4, () => 0.5), 500, "capped at max_backoff_ms");
  assert.equal(backoffDelay(policy, 9, () => 0), 0, "full jitter reaches 0");
});

Deno.test("retryAfterMs() reads retry-after-ms, seconds and HTTP dates", () => {
  const now = Date.parse("2025-08-01T12:00:00Z");
  const h = (init: Record<string, string>) => retryAfterMs(new Headers(init), now);
  assert.equal(h({}), undefined);
  assert.equal(h({ "retry-after-ms": "1500" }), 1500);
  assert.equal(h({ "retry-after-ms": "20.5", "retry-after": "9" }), 21, "the precise header wins");
  assert.equal(h({ "retry-after": "3" }), 3000);
  assert.equal(h({ "retry-after": "Fri, 01 Aug 2025 12:00:07 GMT" }), 7000);
  assert.equal(h({ "retry-after": "Fri, 01 Aug 2025 11:00:00 GMT" }), 0, "a past date means now");
  assert.equal(h({ "retry-after": "soon" }), undefined);
});

Deno.test("realSleep() ends early with client_closed when the client leaves", async () => {
  await realSleep(0);
  const c = new AbortController();
  const p = realSleep(60_000, c.signal);
  c.abort();
  await assert.rejects(p, (e: GatewayError) => e.code === "client_closed");
  await assert.rejects(realSleep(1, c.signal), (e: GatewayError) => e.status === 499);
});

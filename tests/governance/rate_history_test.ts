import assert from "node:assert/strict";
import { chargeOf, type LoggedCall, RateHistory } from "../../src/governance/rate_history.ts";
import { createRateLimiter } from "../../src/governance/rate_limit.ts";
import { caller, denied, fakeClock } from "./_fixtures.ts";

/** The wall clock at the (re)start; the limiter's monotonic clock reads only a few ms then. */
const WALL = Date.UTC(2030, 0, 1, 12);

function call(over: Partial<LoggedCall> = {}): LoggedCall {
  return {
    ts: new Date(WALL - 10_000).toISOString(),
    caller: { key_id: "k1", project: "demo", token_id: null },
    status: 200,
    attempts: 1,
    latency_ms: 2_000,
    usage: {
      prompt_tokens: 30,
      completion_tokens: 12,
      cached_tokens: 0,
      reasoning_tokens: 0,
      total_tokens: 42,
    },
    usage_source: "upstream",
    error: null,
    ...over,
  };
}

/** The limiter's own refusals, as it words them. */
function limiterMessages(): string[] {
  const limiter = createRateLimiter({ clock: fakeClock(0).now });
  const c = caller([{ id: "key:k1", rpm: 1, tpm: 100 }]);
  limiter.admit(c, { estimatedTokens: 1 });
  return [
    denied(() => limiter.admit(c, { estimatedTokens: 1 })).message,
    denied(() => limiter.admit(caller([{ id: "key:k2", tpm: 100 }]), { estimatedTokens: 500 })).message,
  ];
}

Deno.test("chargeOf(): a request at the call's start, its reported tokens at its end", () => {
  assert.deepEqual(chargeOf(call()), { requestAt: WALL - 10_000, tokensAt: WALL - 8_000, tokens: 42 });
  // The limiter settled a call without reported usage to no tokens (its estimate was refunded).
  assert.deepEqual(chargeOf(call({ usage_source: "estimated" })), {
    requestAt: WALL - 10_000,
    tokensAt: WALL - 8_000,
    tokens: 0,
  });
  // A started entry no record closed, as the scanner reports it.
  const cut = call({ status: 0, latency_ms: 0, usage: null, usage_source: "estimated" });
  assert.deepEqual(chargeOf(cut), { requestAt: WALL - 10_000, tokensAt: WALL - 10_000, tokens: 0 });
  assert.equal(chargeOf(call({ ts: "not a time" })), null);
});

Deno.test("chargeOf(): calls the limiter refused, or never saw, charged nothing", () => {
  const refused = (status: number | "client_closed", message = "No") =>
    call({ status, attempts: 0, usage: null, usage_source: null, error: { type: "x", message } });
  for (const message of limiterMessages()) assert.equal(chargeOf(refused(429, message)), null, message);
  // Authentication failed: no caller, no scope.
  assert.equal(
    chargeOf(call({ ...refused(401), caller: { key_id: null, project: null, token_id: null } })),
    null,
  );
  for (const status of [400, 403, 408, 413, "client_closed" as const]) {
    assert.equal(chargeOf(refused(status)), null, String(status));
  }
  // Refused after the limiter admitted it: a daily cost cap, a model no target serves, no target up.
  const cap = refused(429, "Daily cost cap of €1.00 for the gateway reached: spent €1.00 today");
  for (const r of [cap, refused(404), refused(502), refused(503)]) {
    assert.deepEqual(
      chargeOf(r),
      { requestAt: WALL - 10_000, tokensAt: WALL - 8_000, tokens: 0 },
      r.status + "",
    );
  }
  // What an upstream answered, after an attempt, was admitted whatever its status.
  assert.ok(chargeOf(call({ status: 429, error: { type: "rate_limit_error", message: "Slow down" } })));
  assert.ok(chargeOf(call({ status: 403, usage: null, usage_source: null })));
});

Deno.test("RateHistory keeps the last minute only: a call 61 s old does not count, a long one's tokens do", () => {
  const history = new RateHistory(WALL);
  assert.equal(history.since, WALL - 60_000);
  assert.equal(
    history.add(["key:k1"], { requestAt: WALL - 61_000, tokensAt: WALL - 61_000, tokens: 5 }),
    false,
  );
  // Started 90 s ago, ended 30 s ago: its request has refilled, its tokens not yet.
  assert.equal(
    history.add(["key:k1"], { requestAt: WALL - 90_000, tokensAt: WALL - 30_000, tokens: 7 }),
    true,
  );
  assert.equal(
    history.add(["project:demo", "key:k1"], { requestAt: WALL - 5_000, tokensAt: WALL - 4_000, tokens: 0 }),
    true,
  );
  assert.deepEqual(Object.fromEntries(history.buckets()), {
    "key:k1|t": [{ at: WALL - 30_000, units: 7 }],
    "project:demo|r": [{ at: WALL - 5_000, units: 1 }],
    "key:k1|r": [{ at: WALL - 5_000, units: 1 }],
  });
});

Deno.test("restore(): past calls charge the buckets on the limiter's own clock", () => {
  const clock = fakeClock(1_500); // monotonic: the process started 1.5 s ago
  const limiter = createRateLimiter({ clock: clock.now });
  const history = new RateHistory(WALL);
  for (const ago of [10_000, 5_000, 1_000]) {
    history.add(["key:k1"], { requestAt: WALL - ago, tokensAt: WALL - ago, tokens: 0 });
  }
  // A call twice the TPM limit left its bucket a whole minute in debt.
  history.add(["key:old"], { requestAt: WALL - 59_000, tokensAt: WALL - 59_000, tokens: 2_000 });
  limiter.restore(history, WALL);
  // rpm 3 refills one request in 20 s: 3 − 1 at −10 s, +0.25 − 1 at −5 s, +0.2 − 1 at −1 s, +0.05 now = 0.5.
  const err = denied(() => limiter.admit(caller([{ id: "key:k1", rpm: 3 }]), { estimatedTokens: 1 }));
  assert.equal(err.status, 429);
  assert.equal(err.headers["retry-after"], "10");
  assert.equal(err.headers["retry-after-ms"], "10000");
  assert.equal(err.headers["x-ratelimit-remaining-requests"], "0");
  assert.match(err.message, /limit 3, used 3/);
  // A bucket first used later sees its charges aged by then: 59 s + 2 s is past the window.
  clock.advance(2_000);
  const later = limiter.admit(caller([{ id: "key:old", tpm: 1_000 }]), { estimatedTokens: 500 });
  assert.equal(later.headers["x-ratelimit-remaining-tokens"], "500");
});

Deno.test("restore(): tokens at the calls' ends; a time ahead of the wall clock counts as now", () => {
  const clock = fakeClock(0);
  const limiter = createRateLimiter({ clock: clock.now });
  const history = new RateHistory(WALL);
  history.add(["token:t1"], { requestAt: WALL - 120_000, tokensAt: WALL - 30_000, tokens: 600 });
  history.add(["token:t2"], { requestAt: WALL + 5_000, tokensAt: WALL + 5_000, tokens: 900 });
  limiter.restore(history, WALL);
  // 1,000 TPM: 400 left 30 s ago, + 500 refilled since = 900.
  const t1 = caller([{ id: "token:t1", tpm: 1_000, rpm: 10 }]);
  const a = limiter.admit(t1, { estimatedTokens: 850 });
  assert.equal(a.headers["x-ratelimit-remaining-tokens"], "50");
  assert.equal(a.headers["x-ratelimit-remaining-requests"], "9", "its request is older than the window");
  const t2 = caller([{ id: "token:t2", tpm: 1_000 }]);
  assert.match(denied(() => limiter.admit(t2, { estimatedTokens: 200 })).message, /used 900, requested 200/);
});

Deno.test("restore(): a minute after it, the past is dropped and new buckets start full", () => {
  const clock = fakeClock(0);
  const limiter = createRateLimiter({ clock: clock.now });
  const history = new RateHistory(WALL);
  history.add(["key:k1"], { requestAt: WALL, tokensAt: WALL, tokens: 0 });
  limiter.restore(history, WALL);
  clock.advance(60_001);
  const first = limiter.admit(caller([{ id: "key:k1", rpm: 2 }]), { estimatedTokens: 1 });
  assert.equal(first.headers["x-ratelimit-remaining-requests"], "1");
});

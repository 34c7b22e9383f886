import assert from "node:assert/strict";
import { formatDuration } from "../../src/governance/bucket.ts";
import { resolvePolicy } from "../../src/governance/policy.ts";
import { createRateLimiter } from "../../src/governance/rate_limit.ts";
import { caller, denied, fakeClock } from "./_fixtures.ts";

Deno.test("admit() allows a minute's requests, then answers 429 with Retry-After and OpenAI headers", () => {
  const clock = fakeClock(0);
  const limiter = createRateLimiter({ clock: clock.now });
  const c = caller([{ id: "key:k1", rpm: 3 }]);
  const first = limiter.admit(c, { estimatedTokens: 10 });
  assert.deepEqual(first.headers, {
    "x-ratelimit-limit-requests": "3",
    "x-ratelimit-remaining-requests": "2",
    "x-ratelimit-reset-requests": "20s",
  });
  limiter.admit(c, { estimatedTokens: 10 });
  assert.equal(limiter.admit(c, { estimatedTokens: 10 }).headers["x-ratelimit-remaining-requests"], "0");
  const err = denied(() => limiter.admit(c, { estimatedTokens: 10 }));
  assert.equal(err.status, 429);
  assert.equal(err.code, "rate_limit_exceeded");
  assert.equal(err.headers["retry-after"], "20");
  assert.equal(err.headers["retry-after-ms"], "20000");
  assert.equal(err.headers["x-ratelimit-remaining-requests"], "0");
  assert.equal(err.headers["x-ratelimit-reset-requests"], "1m0s");
  assert.match(
    err.message,
    /^Rate limit reached for key "k1" on requests per minute \(RPM\): limit 3, used 3/,
  );

  clock.advance(19_999);
  denied(() => limiter.admit(c, { estimatedTokens: 10 }));
  clock.advance(1);
  assert.equal(limiter.admit(c, { estimatedTokens: 10 }).headers["x-ratelimit-remaining-requests"], "0");
  clock.advance(60_000);
  assert.equal(limiter.admit(c, { estimatedTokens: 10 }).headers["x-ratelimit-remaining-requests"], "2");
});

Deno.test("admit() charges estimated tokens and settle() corrects them to the real usage", () => {
  const clock = fakeClock(0);
  const limiter = createRateLimiter({ clock: clock.now });
  const c = caller([{ id: "token:t1", tpm: 1_000 }]);
  const a = limiter.admit(c, { estimatedTokens: 600 });
  assert.equal(a.headers["x-ratelimit-remaining-tokens"], "400");
  assert.equal(a.headers["x-ratelimit-reset-tokens"], "36s");
  assert.equal(a.headers["x-ratelimit-limit-requests"], undefined, "no request limit, no request headers");
  const err = denied(() => limiter.admit(c, { estimatedTokens: 500 }));
  assert.match(err.message, /tokens per minute \(TPM\): limit 1000, used 600, requested 500/);
  assert.equal(err.headers["retry-after-ms"], "6000");

  a.settle(100);
  a.settle(10_000); // ignored: settles once
  assert.equal(limiter.admit(c, { estimatedTokens: 500 }).headers["x-ratelimit-remaining-tokens"], "400");

  const b = limiter.admit(c, { estimatedTokens: 100 });
  b.settle(1_300); // far more than estimated: the bucket goes into debt
  const debt = denied(() => limiter.admit(c, { estimatedTokens: 1 }));
  assert.equal(debt.headers["x-ratelimit-remaining-tokens"], "0");
  clock.advance(60_000);
  assert.ok(limiter.admit(c, { estimatedTokens: 1 }));
});

Deno.test("admit() refuses a request larger than the whole TPM limit", () => {
  const limiter = createRateLimiter({ clock: () => 0 });
  const err = denied(() =>
    limiter.admit(caller([{ id: "project:demo", tpm: 100 }]), { estimatedTokens: 101 })
  );
  assert.match(
    err.message,
    /^Request too large for project "demo" on tokens per minute \(TPM\): limit 100, requested 101$/,
  );
});

Deno.test("a project's limit is shared by its callers, a key's is its own; headers show the tightest", () => {
  const clock = fakeClock(0);
  const limiter = createRateLimiter({ clock: clock.now });
  const k1 = caller([{ id: "project:demo", rpm: 4 }, { id: "key:k1", rpm: 2 }]);
  const k2 = caller([{ id: "project:demo", rpm: 4 }, { id: "key:k2", rpm: 10 }]);
  assert.equal(limiter.admit(k1, { estimatedTokens: 1 }).headers["x-ratelimit-limit-requests"], "2");
  limiter.admit(k1, { estimatedTokens: 1 });
  const err = denied(() => limiter.admit(k1, { estimatedTokens: 1 }));
  assert.match(err.message, /key "k1"/);
  const h = limiter.admit(k2, { estimatedTokens: 1 }).headers;
  assert.deepEqual([h["x-ratelimit-limit-requests"], h["x-ratelimit-remaining-requests"]], ["4", "1"]);
  limiter.admit(k2, { estimatedTokens: 1 });
  assert.match(denied(() => limiter.admit(k2, { estimatedTokens: 1 })).message, /project "demo"/);
});

Deno.test("admit() without limits charges nothing; a changed limit applies at once", () => {
  const clock = fakeClock(0);
  const limiter = createRateLimiter({ clock: clock.now, maxBuckets: 1 });
  const none = limiter.admit({ policy: resolvePolicy({ subject: { scope: "key:x", policy: {} } }) }, {
    estimatedTokens: 5,
  });
  assert.deepEqual(none.headers, {});
  none.settle(5);
  limiter.admit(caller([{ id: "key:a", rpm: 10 }]), { estimatedTokens: 1 });
  assert.equal(
    limiter.admit(caller([{ id: "key:a", rpm: 2 }]), { estimatedTokens: 1 })
      .headers["x-ratelimit-remaining-requests"],
    "0",
  );
  // maxBuckets 1: a new scope evicts the old bucket instead of growing without bound.
  limiter.admit(caller([{ id: "key:b", rpm: 1 }]), { estimatedTokens: 1 });
  assert.equal(
    limiter.admit(caller([{ id: "key:a", rpm: 2 }]), { estimatedTokens: 1 })
      .headers["x-ratelimit-remaining-requests"],
    "1",
  );
});

Deno.test("formatDuration() writes durations the way OpenAI's reset headers do", () => {
  const cases: [number, string][] = [[0, "0ms"], [120.2, "121ms"], [1_000, "1s"], [1_500, "1.5s"], [
    360_000,
    "6m0s",
  ], [
    3_723_000,
    "1h2m3s",
  ]];
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text);
});

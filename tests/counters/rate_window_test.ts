import assert from "node:assert/strict";
import { createRateLimiter } from "../../src/governance/rate_limit.ts";
import type { LimitScope } from "../../src/governance/policy.ts";
import type { GatewayError } from "../../src/core/errors.ts";
import { createSharedRateLimiter } from "../../src/counters/rate_window.ts";
import { dropPrefix, sharedClient, testPrefix } from "../_helpers/redis.ts";

function scope(id: string, over: Partial<LimitScope> = {}): LimitScope {
  return { id, rpm: null, tpm: null, dailyCostEur: null, ...over };
}

Deno.test("shared RPM: 30 concurrent calls over three clients admit exactly 10", async () => {
  const prefix = testPrefix();
  const clients = await Promise.all([1, 2, 3].map(() => sharedClient(prefix)));
  try {
    const limiters = clients.map((c) => createSharedRateLimiter(c, { local: createRateLimiter() }));
    const caller = { policy: { scopes: [scope("key:dev", { rpm: 10 })] } };
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => limiters[i % 3]!.admit(caller, { estimatedTokens: 5 })),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    assert.equal(ok.length, 10);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    const err = refused.reason as GatewayError;
    assert.equal(err.status, 429);
    assert.equal(err.code, "rate_limit_exceeded");
    assert.match(
      err.message,
      /^Rate limit reached for key "dev" on requests per minute \(RPM\): limit 10, used 10/,
    );
    assert.equal(err.headers["x-ratelimit-remaining-requests"], "0");
    assert.ok(Number(err.headers["retry-after-ms"]) > 0);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await dropPrefix(prefix);
  }
});

Deno.test("shared TPM: settlement corrects the estimate on every replica's view", async () => {
  const prefix = testPrefix();
  const [a, b] = await Promise.all([sharedClient(prefix), sharedClient(prefix)]);
  try {
    const la = createSharedRateLimiter(a!, { local: createRateLimiter() });
    const lb = createSharedRateLimiter(b!, { local: createRateLimiter() });
    const caller = { policy: { scopes: [scope("project:demo", { tpm: 1000 })] } };
    const first = await la.admit(caller, { estimatedTokens: 100 });
    assert.equal(first.headers["x-ratelimit-limit-tokens"], "1000");
    assert.ok(Number(first.headers["x-ratelimit-remaining-tokens"]) <= 900);
    first.settle(700);
    await la.idle();
    const second = await lb.admit(caller, { estimatedTokens: 100 });
    assert.ok(Number(second.headers["x-ratelimit-remaining-tokens"]) <= 200);
    await assert.rejects(lb.admit(caller, { estimatedTokens: 300 }), (e: GatewayError) => {
      assert.equal(e.status, 429);
      assert.match(e.message, /tokens per minute \(TPM\)/);
      return true;
    });
    await assert.rejects(lb.admit(caller, { estimatedTokens: 5000 }), /Request too large for project "demo"/);
  } finally {
    await Promise.all([a!.close(), b!.close()]);
    await dropPrefix(prefix);
  }
});

Deno.test("shared limiter admits callers without limits without a round trip", async () => {
  const prefix = testPrefix();
  const c = await sharedClient(prefix);
  try {
    const l = createSharedRateLimiter(c, { local: createRateLimiter() });
    const a = await l.admit({ policy: { scopes: [scope("key:x")] } }, { estimatedTokens: 1 });
    assert.deepEqual(a.headers, {});
    const keys = await c.redis.keys(`${prefix}*`);
    assert.deepEqual(keys, []);
  } finally {
    await c.close();
    await dropPrefix(prefix);
  }
});

import assert from "node:assert/strict";
import { checkPolicy } from "../../src/governance/check.ts";
import { estimateTokens } from "../../src/governance/estimate.ts";
import { setupGovernance } from "../../src/governance/setup.ts";
import { TokenUses } from "../../src/governance/token_uses.ts";
import { sha256Hex } from "../../src/pipeline/auth.ts";
import { ConfigError, GatewayError } from "../../src/server/errors.ts";
import { testConfig } from "../_helpers/config.ts";
import { fakeClock } from "./_fixtures.ts";

const ENV: Record<string, string> = { MANAGE: "admin-0123456789", READER: "reader-0123456789" };

Deno.test("setupGovernance() opens the configured store and wires resolver, limiter and management API", async () => {
  const dir = await Deno.makeTempDir();
  const clock = fakeClock();
  const config = testConfig([], { dataDir: dir });
  config.manage = { token: "env:MANAGE", readerToken: "env:READER", cacheTtlMs: 1_000 };
  config.policy = { maxTokens: 100 };
  const gov = await setupGovernance(config, {
    callerKeys: [{ id: "dev", sha256: sha256Hex("dev-key") }],
    env: (n) => ENV[n],
    now: clock.now,
    clock: clock.now,
  });
  try {
    const manage = (method: string, path: string, body?: unknown, token = ENV.MANAGE) =>
      gov.manage(
        new Request(`http://gw/manage${path}`, {
          method,
          headers: { authorization: `Bearer ${token}` },
          ...(body ? { body: JSON.stringify(body) } : {}),
        }),
      );
    assert.equal((await manage("POST", "/projects", { name: "demo", policy: { rpm: 1 } })).status, 201);
    const token = await (await manage("POST", "/tokens", { project: "demo", ttl: "5m", max_requests: 10 }))
      .json();
    assert.equal((await manage("GET", "/audit", undefined, ENV.READER)).status, 200);

    const headers = new Headers({ "api-key": token.secret });
    const caller = await gov.resolver.authenticate(headers);
    assert.deepEqual([caller.kind, caller.project, caller.policy.maxTokens], ["token", "demo", 100]);
    const body = { model: "gpt-4o", messages: [{ role: "user", content: "hi" }], max_tokens: 100 };
    checkPolicy(caller, { operation: "chat", model: "gpt-4o", body, bodyBytes: 80 });
    assert.throws(() =>
      checkPolicy(caller, { operation: "chat", model: "gpt-4o", body: { max_tokens: 101 }, bodyBytes: 1 })
    );
    const admission = gov.limiter.admit(caller, { estimatedTokens: estimateTokens(body).total });
    assert.equal(admission.headers["x-ratelimit-limit-requests"], "1");
    admission.settle(42);
    assert.throws(
      () => gov.limiter.admit(caller, { estimatedTokens: 1 }),
      (e) => e instanceof GatewayError && e.status === 429,
    );

    // A change through the API invalidates the cache at once.
    await manage("POST", `/tokens/${token.id}/revoke`);
    await assert.rejects(async () => await gov.resolver.authenticate(headers), /was revoked/);
    assert.equal(
      (await gov.resolver.authenticate(new Headers({ authorization: "Bearer dev-key" }))).keyId,
      "dev",
    );
  } finally {
    await gov.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("setupGovernance() names an unresolvable management token", async () => {
  const config = testConfig([]);
  config.manage = { token: "env:NOT_SET", cacheTtlMs: 1_000 };
  await assert.rejects(
    setupGovernance(config, { callerKeys: [], env: () => undefined }),
    (e) =>
      e instanceof ConfigError && e.issues[0]?.path === "manage.token" &&
      /"NOT_SET" is not set/.test(e.message),
  );
});

Deno.test("TokenUses batches writes and keeps the increments of a failed write", async () => {
  const writes: [string, number][][] = [];
  let fail = true;
  const errors: unknown[] = [];
  const uses = new TokenUses({
    addTokenUses(batch) {
      if (fail) return Promise.reject(new Error("locked"));
      writes.push([...batch]);
      return Promise.resolve();
    },
  }, { flushMs: 60_000, onError: (e) => errors.push(e) });
  uses.seed("t", 5);
  uses.seed("t", 2);
  assert.equal(uses.count("t"), 5);
  assert.ok(uses.take("t", 7));
  assert.ok(uses.take("t", 7));
  assert.ok(!uses.take("t", 7), "the eighth use passes the maximum");
  assert.equal(uses.count("t"), 7);
  await uses.flush();
  assert.equal(errors.length, 1);
  fail = false;
  uses.take("u", null);
  await uses.flush();
  assert.deepEqual(writes, [[["t", 2], ["u", 1]]]);
  await uses.flush();
  assert.equal(writes.length, 1, "nothing pending, nothing written");
});

Deno.test("TokenUses counts a capped token in the store before admitting it, and fails closed", () => {
  const stored = new Map<string, number>([["t", 1]]);
  const batches: unknown[] = [];
  let broken = false;
  const errors: unknown[] = [];
  const uses = new TokenUses({
    addTokenUses(batch) {
      batches.push([...batch]);
      return Promise.resolve();
    },
    takeTokenUseSync(id, max) {
      if (broken) throw new Error("disk I/O error");
      const n = stored.get(id) ?? 0;
      if (n >= max) return null;
      stored.set(id, n + 1);
      return n + 1;
    },
  }, { flushMs: 60_000, onError: (e) => errors.push(e) });
  assert.ok(uses.take("t", 3));
  assert.equal(stored.get("t"), 2, "written before take() returned");
  assert.equal(uses.count("t"), 2, "the store's count is taken over");
  stored.set("t", 3); // another process sharing the store took the last use
  assert.ok(!uses.take("t", 3));
  assert.equal(uses.count("t"), 3);
  assert.ok(!uses.take("t", 3), "a spent token is refused without a store write");
  broken = true;
  assert.throws(
    () => uses.take("u", 5),
    (e) => e instanceof GatewayError && e.status === 503 && e.code === "store_unavailable",
  );
  assert.equal(errors.length, 1);
  assert.ok(uses.take("free", null), "uncapped tokens never touch the store on the hot path");
  assert.deepEqual(batches, []);
});

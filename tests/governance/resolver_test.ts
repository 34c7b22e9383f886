import assert from "node:assert/strict";
import { createCallerResolver } from "../../src/governance/resolver.ts";
import type { GovernedCaller } from "../../src/governance/caller.ts";
import { sha256Hex } from "../../src/core/sha256.ts";
import { GatewayError } from "../../src/core/errors.ts";
import type { Store } from "../../src/store/types.ts";
import { fakeClock, seedStore } from "./_fixtures.ts";

const bearer = (key: string) => new Headers({ authorization: `Bearer ${key}` });
const HOUR = 3_600_000;

/** Authenticates and returns the caller, awaiting only when the resolver needs the store. */
async function auth(r: { authenticate(h: Headers): GovernedCaller | Promise<GovernedCaller> }, key: string) {
  return await r.authenticate(bearer(key));
}

function rejectsWith(status: number, code: string) {
  return (err: unknown) => err instanceof GatewayError && err.status === status && err.code === code;
}

Deno.test("createCallerResolver() accepts config keys, store keys and tokens; a cache hit is synchronous", async () => {
  const clock = fakeClock();
  const seeded = await seedStore({ now: clock.now, project: { policy: { rpm: 60, models: ["gpt-4o*"] } } });
  const r = createCallerResolver(seeded.store, {
    configKeys: [{ id: "dev", sha256: sha256Hex("config-secret"), project: "demo" }],
    defaults: { maxTokens: 1000 },
    now: clock.now,
    tokenUses: { flushMs: 0 },
  });
  const dev = await auth(r, "config-secret");
  assert.deepEqual([dev.kind, dev.keyId, dev.project, dev.tokenId], ["config", "dev", "demo", null]);
  assert.deepEqual(dev.policy.models, [["gpt-4o*"]], "a config key of a stored project gets its policy");

  const first = r.authenticate(bearer(seeded.key));
  assert.ok(first instanceof Promise, "a miss looks the key up");
  const key = await first;
  assert.deepEqual([key.kind, key.keyId, key.project, key.tokenId], ["key", seeded.keyId, "demo", null]);
  assert.equal(key.policy.maxTokens, 1000);
  assert.deepEqual(key.policy.scopes.map((s) => [s.id, s.rpm]), [["project:demo", 60]]);
  const hit = r.authenticate(bearer(seeded.key));
  assert.ok(!(hit instanceof Promise), "a hit answers synchronously");
  assert.equal(hit, key);

  const token = await auth(r, seeded.token);
  assert.deepEqual([token.kind, token.keyId, token.tokenId, token.project], [
    "token",
    seeded.tokenId,
    seeded.tokenId,
    "demo",
  ]);
  await r.flush();
});

Deno.test("createCallerResolver() refuses missing, unknown and malformed keys; anonymous when not required", async () => {
  const seeded = await seedStore();
  const r = createCallerResolver(seeded.store);
  assert.throws(() => r.authenticate(new Headers()), rejectsWith(401, "missing_api_key"));
  await assert.rejects(auth(r, "azmw_nope"), rejectsWith(401, "invalid_api_key"));
  await assert.rejects(
    auth(r, "azmw_nope"),
    rejectsWith(401, "invalid_api_key"),
    "unknown keys are cached too",
  );
  const open = createCallerResolver(null, { required: false, defaults: { rpm: 5 } });
  const anon = open.authenticate(new Headers()) as GovernedCaller;
  assert.deepEqual([anon.kind, anon.keyId, anon.policy.scopes[0]?.id], [
    "anonymous",
    "anonymous",
    "anonymous",
  ]);
  await assert.rejects(auth(open, "anything"), rejectsWith(401, "invalid_api_key"));
});

Deno.test("key lifecycle: create → use → rotate → old key within grace → refused after grace", async () => {
  const clock = fakeClock();
  const seeded = await seedStore({ now: clock.now });
  const r = createCallerResolver(seeded.store, { now: clock.now });
  assert.equal((await auth(r, seeded.key)).keyId, seeded.keyId);

  const rotated = await seeded.manage("POST", `/keys/${seeded.keyId}/rotate`, { grace: "1h" });
  const next = String(rotated.secret);
  assert.notEqual(next, seeded.key);
  r.invalidate();
  assert.equal((await auth(r, next)).keyId, rotated.id);
  clock.advance(HOUR - 1);
  r.invalidate();
  assert.equal((await auth(r, seeded.key)).keyId, seeded.keyId, "the old key works within the grace period");
  clock.advance(1);
  assert.throws(() => r.authenticate(bearer(seeded.key)), rejectsWith(401, "expired_api_key"));
  r.invalidate();
  await assert.rejects(auth(r, seeded.key), rejectsWith(401, "expired_api_key"), "also after a fresh lookup");
  assert.equal((await auth(r, next)).keyId, rotated.id);
});

Deno.test("the default grace period of a rotation is 24 hours", async () => {
  const clock = fakeClock();
  const seeded = await seedStore({ now: clock.now });
  const r = createCallerResolver(seeded.store, { now: clock.now });
  await seeded.manage("POST", `/keys/${seeded.keyId}/rotate`);
  clock.advance(24 * HOUR - 1);
  assert.equal((await auth(r, seeded.key)).keyId, seeded.keyId);
  clock.advance(1);
  assert.throws(() => r.authenticate(bearer(seeded.key)), rejectsWith(401, "expired_api_key"));
});

Deno.test("a revoked key, a revoked token and a disabled project are refused within one second", async (t) => {
  for (
    const [name, change, code] of [
      [
        "key",
        (s: Awaited<ReturnType<typeof seedStore>>) => s.manage("POST", `/keys/${s.keyId}/revoke`),
        "api_key_disabled",
      ],
      [
        "token",
        (s: Awaited<ReturnType<typeof seedStore>>) => s.manage("POST", `/tokens/${s.tokenId}/revoke`),
        "token_revoked",
      ],
      [
        "project",
        (s: Awaited<ReturnType<typeof seedStore>>) => s.manage("PATCH", "/projects/demo", { disabled: true }),
        "project_disabled",
      ],
    ] as const
  ) {
    await t.step(name, async () => {
      const clock = fakeClock();
      const seeded = await seedStore({ now: clock.now });
      const r = createCallerResolver(seeded.store, {
        now: clock.now,
        cacheTtlMs: 1_000,
        tokenUses: { flushMs: 0 },
      });
      const secret = name === "token" ? seeded.token : seeded.key;
      await auth(r, secret);
      await change(seeded);
      clock.advance(400);
      assert.doesNotThrow(() => r.authenticate(bearer(secret)), "still cached for a moment");
      clock.advance(100);
      // Past half the TTL a hit refreshes in the background; once that lands the change is seen.
      r.authenticate(bearer(secret));
      // The in-memory store answers within microtasks; one macrotask turn lets the refresh land.
      await new Promise((resolve) => setTimeout(resolve, 0));
      assert.throws(
        () => r.authenticate(bearer(secret)),
        (e) => e instanceof GatewayError && e.code === code,
      );
      clock.advance(1_000);
      await assert.rejects(auth(r, secret), (e) => e instanceof GatewayError && e.code === code);
      await r.flush();
    });
  }
});

Deno.test("without background refreshes a revocation still takes effect once the TTL ends", async () => {
  const clock = fakeClock();
  const seeded = await seedStore({ now: clock.now });
  const r = createCallerResolver(seeded.store, { now: clock.now, cacheTtlMs: 1_000 });
  await auth(r, seeded.key);
  await seeded.manage("POST", `/keys/${seeded.keyId}/revoke`);
  clock.advance(999);
  assert.equal((r.authenticate(bearer(seeded.key)) as GovernedCaller).keyId, seeded.keyId);
  clock.advance(1);
  await assert.rejects(auth(r, seeded.key), rejectsWith(401, "api_key_disabled"));
});

Deno.test("invalidate() makes a change visible at once", async () => {
  const seeded = await seedStore();
  const r = createCallerResolver(seeded.store);
  await auth(r, seeded.key);
  await seeded.manage("POST", `/keys/${seeded.keyId}/revoke`);
  r.invalidate();
  await assert.rejects(auth(r, seeded.key), rejectsWith(401, "api_key_disabled"));
});

Deno.test("token lifecycle: expiry and max requests counted per use and persisted", async () => {
  const clock = fakeClock();
  const seeded = await seedStore({ now: clock.now, token: { ttl: "10m", max_requests: 3 } });
  const r = createCallerResolver(seeded.store, { now: clock.now, tokenUses: { flushMs: 0 } });
  for (let i = 0; i < 3; i++) assert.equal((await auth(r, seeded.token)).tokenId, seeded.tokenId);
  assert.throws(() => r.authenticate(bearer(seeded.token)), rejectsWith(403, "token_exhausted"));
  await r.flush();
  assert.equal((await seeded.store.getToken(seeded.tokenId))?.requestCount, 3);
  const shown = await seeded.manage("GET", `/tokens/${seeded.tokenId}`);
  assert.equal(shown.status, "exhausted");

  const other = createCallerResolver(seeded.store, { now: clock.now });
  await assert.rejects(
    auth(other, seeded.token),
    rejectsWith(403, "token_exhausted"),
    "the count survives a restart",
  );

  const fresh = await seeded.manage("POST", "/tokens", { project: "demo", ttl: "10m" });
  await auth(r, String(fresh.secret));
  clock.advance(10 * 60_000);
  await assert.rejects(auth(r, String(fresh.secret)), rejectsWith(401, "expired_token"));
});

Deno.test("a store failure is a 503 and is not cached", async () => {
  const seeded = await seedStore();
  let failing = true;
  const flaky: Store = Object.create(seeded.store);
  flaky.findCredential = (sha) =>
    failing ? Promise.reject(new Error("disk gone")) : seeded.store.findCredential(sha);
  const r = createCallerResolver(flaky);
  await assert.rejects(auth(r, seeded.key), rejectsWith(503, "store_unavailable"));
  failing = false;
  assert.equal((await auth(r, seeded.key)).keyId, seeded.keyId);
});

Deno.test("the cache stays within maxEntries", async () => {
  const clock = fakeClock();
  const seeded = await seedStore({ now: clock.now });
  let lookups = 0;
  const counting: Store = Object.create(seeded.store);
  counting.findCredential = (sha) => {
    lookups++;
    return seeded.store.findCredential(sha);
  };
  const r = createCallerResolver(counting, { now: clock.now, maxEntries: 2 });
  await auth(r, seeded.key);
  for (const k of ["azmw_a", "azmw_b"]) await assert.rejects(auth(r, k));
  assert.equal(lookups, 3);
  await auth(r, seeded.key);
  assert.equal(lookups, 4, "the oldest entry was dropped");
});

Deno.test("config keys without a project answer synchronously from the first call", async () => {
  const seeded = await seedStore();
  const r = createCallerResolver(seeded.store, { configKeys: [{ id: "ops", sha256: sha256Hex("ops-key") }] });
  const ops = r.authenticate(bearer("ops-key"));
  assert.ok(!(ops instanceof Promise));
  assert.deepEqual([ops.kind, ops.keyId, ops.project], ["config", "ops", null]);
  const noStore = createCallerResolver(null, {
    configKeys: [{ id: "dev", sha256: sha256Hex("k"), project: "demo" }],
  });
  const dev = noStore.authenticate(bearer("k"));
  assert.ok(!(dev instanceof Promise));
  assert.equal(dev.project, "demo");
});

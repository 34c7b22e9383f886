/**
 * Governance of two in-process replicas over one store file and one Redis prefix: shared token uses,
 * shared rate limits through the admission stage, and a revocation seen by the other replica at once.
 */
import assert from "node:assert/strict";
import { openGovernance } from "../../src/server/governance.ts";
import { createGatewayMetrics } from "../../src/observability/metrics.ts";
import type { GatewayError } from "../../src/core/errors.ts";
import { openSharedCounters } from "../../src/counters/mod.ts";
import { testConfig } from "../_helpers/config.ts";
import { dropPrefix, REDIS_URL, testPrefix } from "../_helpers/redis.ts";

const ENV: Record<string, string> = { MANAGE: "admin-0123456789", REDIS: REDIS_URL };

Deno.test("two replicas share token uses, rate limits and revocations", async () => {
  const dir = await Deno.makeTempDir();
  const prefix = testPrefix();
  const config = testConfig([], { dataDir: dir });
  config.manage = { token: "env:MANAGE", cacheTtlMs: 1_000 };
  config.shared = { redis: "env:REDIS", prefix, onUnavailable: "closed", timeoutMs: 250 };
  const replicas = [];
  for (let i = 0; i < 2; i++) {
    const shared = (await openSharedCounters(config, { env: (n) => ENV[n] }))!;
    const gov = await openGovernance(config, {
      callerKeys: [],
      env: (n) => ENV[n],
      shared: shared.governance,
    });
    replicas.push({ shared, gov, pipeline: gov.forConfig(config, []) });
  }
  const [a, b] = replicas as [typeof replicas[0], typeof replicas[0]];
  const manage = async (method: string, path: string, body?: unknown) =>
    await (await a.gov.manage(
      new Request(`http://gw/manage${path}`, {
        method,
        headers: { authorization: `Bearer ${ENV.MANAGE}` },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }),
    )).json();
  try {
    await manage("POST", "/projects", { name: "demo", policy: { rpm: 4 } });
    const token = await manage("POST", "/tokens", { project: "demo", ttl: "5m", max_requests: 3 });
    const headers = new Headers({ "api-key": token.secret });
    const outcomes = [];
    for (let i = 0; i < 5; i++) {
      const r = i % 2 === 0 ? a : b;
      outcomes.push(
        await Promise.resolve(r.pipeline.authenticate(headers)).then(
          () => "ok",
          (e: GatewayError) => e.code,
        ),
      );
    }
    assert.deepEqual(outcomes, ["ok", "ok", "ok", "token_exhausted", "token_exhausted"]);

    // The admission stage charges the shared window: 4 per minute over both replicas.
    const key = await manage("POST", "/keys", { project: "demo" });
    const keyHeaders = new Headers({ "api-key": key.secret });
    const admitted = [];
    for (let i = 0; i < 6; i++) {
      const r = i % 2 === 0 ? a : b;
      const caller = await r.pipeline.authenticate(keyHeaders);
      const ctx = {
        caller,
        route: { operation: "chat" },
        model: "m",
        body: { messages: [] },
        bodyBytes: 10,
      } as unknown as Parameters<typeof r.pipeline.admission>[0];
      admitted.push(
        await Promise.resolve(r.pipeline.admission(ctx)).then(() => 200, (e: GatewayError) => e.status),
      );
    }
    assert.deepEqual(admitted, [200, 200, 200, 200, 429, 429]);

    // b has the key cached; a revokes it; b hears the notice and refuses on its next lookup.
    const heard = Promise.withResolvers<void>();
    b.shared.governance.onNotice(() => heard.resolve());
    await manage("POST", `/keys/${key.id}/revoke`);
    await heard.promise;
    await assert.rejects(Promise.resolve(b.pipeline.authenticate(keyHeaders)), /is disabled/);

    const metrics = createGatewayMetrics();
    a.shared.register(metrics);
    const text = metrics.render({ inFlight: 0 });
    assert.match(text, /azmw_shared_up 1/);
    assert.match(text, /azmw_shared_queued_settlements 0/);
    assert.deepEqual(a.shared.health(), {
      status: "up",
      on_unavailable: "closed",
      fallbacks: {},
      queued_settlements: 0,
    });
    assert.equal(await a.shared.claimAlert("global", "20261204", 0.8), true);
    assert.equal(await b.shared.claimAlert("global", "20261204", 0.8), false);
  } finally {
    for (const r of replicas) {
      await r.gov.close();
      await r.shared.close();
    }
    await dropPrefix(prefix);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openSharedCounters() is off without shared.redis and checks what a secret resolves to", async () => {
  const config = testConfig([]);
  assert.equal(await openSharedCounters(config), null);
  config.shared = { redis: "env:REDIS", prefix: "x:", onUnavailable: "open", timeoutMs: 250 };
  await assert.rejects(
    openSharedCounters(config, { env: () => "http://not-redis" }),
    /shared\.redis: the secret is not a "redis:\/\/" or "rediss:\/\/" URL/,
  );
  await assert.rejects(openSharedCounters(config, { env: () => undefined }), /"REDIS" is not set/);
});

/**
 * A real gateway process whose Redis goes away (a TCP proxy in front of the test server, stopped and
 * started): `closed` refuses with a 503 in the dialect's error shape, `open` serves on local limits and
 * counts it; both show it in `/health` and recover by themselves.
 */
import assert from "node:assert/strict";
import { chat, type Replica, startReplicas } from "../_helpers/replicas.ts";
import { Redis } from "ioredis";
import { dropPrefix, REDIS_URL, TcpProxy, testPrefix } from "../_helpers/redis.ts";
import { until } from "../_helpers/until.ts";

async function health(r: Replica): Promise<{ status: string; error?: string }> {
  const body = await (await fetch(`${r.url}/health`)).json();
  return body.shared;
}

Deno.test({
  name: "closed: Redis down at start refuses with 503 in each dialect's shape, then recovers",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const prefix = testPrefix();
    const proxy = new TcpProxy();
    proxy.start();
    await proxy.stop(); // the port is known, nothing listens: Redis is down at start
    const gw = await startReplicas({ count: 1, prefix, redisUrl: proxy.url, onUnavailable: "closed" });
    const r = gw.replicas[0]!;
    try {
      await gw.manage(r, "POST", "projects", { name: "p", policy: { rpm: 100 } });
      const key = await gw.manage(r, "POST", "keys", { project: "p" }) as { secret: string };
      const refused = await chat(r, key.secret);
      assert.equal(refused.status, 503);
      const error = refused.body.error as Record<string, unknown>;
      assert.equal(error.code, "shared_counters_unavailable");
      assert.match(String(error.message), /cannot reach its shared counters \(Redis\)/);
      assert.doesNotMatch(JSON.stringify(refused.body), /127\.0\.0\.1|redis:/);
      const anthropic = await fetch(`${r.url}/v1/messages`, {
        method: "POST",
        headers: {
          "x-api-key": key.secret,
          "content-type": "application/json",
          "anthropic-version": "2023-06-01",
        },
        body: JSON.stringify({
          model: "gpt-4o-mini",
          max_tokens: 10,
          messages: [{ role: "user", content: "Hi" }],
        }),
      });
      const body = await anthropic.json();
      assert.equal(anthropic.status, 503);
      assert.equal(body.type, "error");
      assert.equal(typeof body.error.type, "string");
      assert.match(body.error.message, /shared counters/);
      assert.equal((await health(r)).status, "down");
      const metrics = await (await fetch(`${r.url}/metrics`)).text();
      assert.match(metrics, /azmw_shared_up 0/);
      assert.match(metrics, /azmw_shared_fallback_total\{counter="rate_limit",mode="closed"\} [1-9]/);
      proxy.start();
      await until(
        "the replica to serve again",
        async () => (await chat(r, key.secret)).status === 200,
        10_000,
      );
      assert.equal((await health(r)).status, "up");
    } finally {
      await gw.close();
      await proxy.stop();
      await dropPrefix(prefix);
    }
  },
});

Deno.test({
  name: "open: Redis lost mid-traffic falls back to local limits, counted, then recovers",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const prefix = testPrefix();
    const proxy = new TcpProxy();
    proxy.start();
    const gw = await startReplicas({ count: 1, prefix, redisUrl: proxy.url, onUnavailable: "open" });
    const r = gw.replicas[0]!;
    try {
      await gw.manage(r, "POST", "projects", { name: "p", policy: { rpm: 3, daily_cost_eur: 10 } });
      const key = await gw.manage(r, "POST", "keys", { project: "p" }) as { secret: string };
      assert.equal((await chat(r, key.secret)).status, 200);
      assert.equal((await health(r)).status, "up");
      await proxy.stop();
      // Local limits answer: the local window of 3 starts empty, so 3 more pass and the 4th is refused.
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await chat(r, key.secret)).status);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      assert.equal((await health(r)).status, "down");
      const metrics = await (await fetch(`${r.url}/metrics`)).text();
      assert.match(metrics, /azmw_shared_fallback_total\{counter="rate_limit",mode="open"\} [1-9]/);
      assert.match(metrics, /azmw_shared_fallback_total\{counter="daily_cost",mode="open"\} [1-9]/);
      assert.match(r.output(), /Shared counters \(Redis\) unavailable/);
      proxy.start();
      await until("shared counters up in /health", async () => (await health(r)).status === "up", 10_000);
      // Back on the shared window, which saw one call: two more pass.
      const after = [];
      for (let i = 0; i < 3; i++) after.push((await chat(r, key.secret)).status);
      assert.deepEqual(after, [200, 200, 429]);
    } finally {
      await gw.close();
      await proxy.stop();
      await dropPrefix(prefix);
    }
  },
});

Deno.test({
  name: "today's spend survives a Redis that lost its data: rebuilt from the request records on reconnect",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const prefix = testPrefix();
    const proxy = new TcpProxy();
    proxy.start();
    const gw = await startReplicas({ count: 2, prefix, redisUrl: proxy.url });
    const [r1, r2] = gw.replicas as [Replica, Replica];
    const redis = new Redis(REDIS_URL);
    const day = new Date().toISOString().slice(0, 10).replaceAll("-", "");
    const spentKey = `${prefix}spend:${day}:project:p`;
    try {
      await gw.manage(r1, "POST", "projects", { name: "p", policy: { daily_cost_eur: 10 } });
      const key = await gw.manage(r1, "POST", "keys", { project: "p" }) as { secret: string };
      for (let i = 0; i < 5; i++) assert.equal((await chat(r1, key.secret)).status, 200);
      assert.equal(await r1.stop(), 0); // its records are written and its settlements sent
      const before = await redis.hget(spentKey, "spent");
      assert.ok(Number(before) > 0);
      // Redis loses everything under the prefix (a restart without persistence), and r2's connection drops.
      await dropPrefix(prefix);
      await proxy.stop();
      proxy.start();
      await until(
        "the spend re-seeded in Redis",
        async () => (await redis.hget(spentKey, "spent")) !== null,
        10_000,
      );
      assert.equal(await redis.hget(spentKey, "spent"), before);
      assert.match(r2.output(), /Today's shared spend rebuilt from the request log/);
    } finally {
      redis.disconnect();
      await gw.close();
      await proxy.stop();
      await dropPrefix(prefix);
    }
  },
});

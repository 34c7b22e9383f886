import assert from "node:assert/strict";
import { openShared } from "../../src/counters/client.ts";
import { GatewayError } from "../../src/core/errors.ts";
import { dropPrefix, TcpProxy, testPrefix } from "../_helpers/redis.ts";

/** A port nothing listens on. */
function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("shared client: Redis down at start", async (t) => {
  const url = `redis://127.0.0.1:${closedPort()}/0`;
  await t.step("closed refuses with 503 and says so in health", async () => {
    const c = await openShared({ url, prefix: "x:", mode: "closed" });
    try {
      const err = await c.run("rate_limit", () => Promise.resolve(1), () => 2).catch((e) => e);
      assert.ok(err instanceof GatewayError);
      assert.equal(err.status, 503);
      assert.equal(err.code, "shared_counters_unavailable");
      assert.equal(err.headers["retry-after"], "1");
      assert.doesNotMatch(err.message, /127\.0\.0\.1|redis:\/\//);
      const h = c.health();
      assert.equal(h.status, "down");
      assert.deepEqual(h.fallbacks, { rate_limit: 1 });
      assert.doesNotMatch(JSON.stringify(h), /redis:\/\//);
    } finally {
      await c.close();
    }
  });
  await t.step("open falls back to local, warns once and counts", async () => {
    const warnings: string[] = [];
    const warned = Promise.withResolvers<void>();
    const c = await openShared({
      url,
      prefix: "x:",
      mode: "open",
      warn: (m) => (warnings.push(m), warned.resolve()),
    });
    try {
      await warned.promise; // the first connection attempt failed
      assert.equal(await c.run("daily_cost", () => Promise.resolve(1), () => 2), 2);
      assert.equal(await c.run("daily_cost", () => Promise.resolve(1), () => 2), 2);
      assert.equal(c.fallbacks().get("daily_cost"), 2);
      assert.equal(await c.attempt(() => Promise.resolve()), false);
      await c.publish("notices", "x"); // dropped, no throw
      assert.deepEqual(warnings, ["Shared counters (Redis) unavailable"]);
    } finally {
      await c.close();
    }
  });
});

Deno.test("shared client: Redis lost mid-traffic and back, in both modes", async (t) => {
  for (const mode of ["closed", "open"] as const) {
    await t.step(mode, async () => {
      const prefix = testPrefix();
      const proxy = new TcpProxy();
      proxy.start();
      const warnings: string[] = [];
      const c = await openShared({ url: proxy.url, prefix, mode, pauseMs: 0, warn: (m) => warnings.push(m) });
      try {
        await c.whenReady();
        const op = (r: typeof c.redis) => r.incr(`${prefix}n`);
        assert.equal(await c.run("rate_limit", op, () => -1), 1);
        assert.equal(c.health().status, "up");
        await proxy.stop();
        const during = await c.run("rate_limit", op, () => -1).catch((e) => e);
        if (mode === "closed") assert.equal((during as GatewayError).status, 503);
        else assert.equal(during, -1);
        assert.equal(c.health().status, "down");
        assert.ok(warnings.includes("Shared counters (Redis) unavailable"));
        const back = c.whenReady();
        proxy.start();
        await back;
        assert.equal(await c.run("rate_limit", op, () => -1), 2);
        assert.equal(c.health().status, "up");
        assert.equal(warnings.at(-1), "Shared counters (Redis) connected");
      } finally {
        await c.close();
        await proxy.stop();
        await dropPrefix(prefix);
      }
    });
  }
});

Deno.test("shared client: a slow Redis times out and pauses calls to it", async () => {
  const prefix = testPrefix();
  let t = 0;
  const c = await openShared({
    url: "redis://127.0.0.1:6379/0",
    prefix,
    mode: "open",
    timeoutMs: 50,
    now: () => t,
  });
  try {
    await c.whenReady();
    // A blocking command stands in for a server that answers late.
    const slow = await c.run("rate_limit", async (r) => {
      await r.blpop(`${prefix}never`, 1);
      return "answered";
    }, () => "local");
    assert.equal(slow, "local");
    assert.equal(c.available(), false);
    assert.match(c.health().error ?? "", /timed out/i);
    // Within the pause, calls skip Redis without waiting.
    assert.equal(await c.run("rate_limit", () => Promise.resolve("redis"), () => "local"), "local");
    t += 1_000;
    await c.whenReady();
    assert.equal(await c.run("rate_limit", () => Promise.resolve("redis"), () => "local"), "redis");
  } finally {
    await c.close();
    await dropPrefix(prefix);
  }
});

Deno.test("shared client: a subscription made while Redis is down starts once it is up", async () => {
  const prefix = testPrefix();
  const proxy = new TcpProxy();
  proxy.start();
  await proxy.stop();
  const refused = Promise.withResolvers<void>();
  const c = await openShared({ url: proxy.url, prefix, mode: "closed", warn: () => refused.resolve() });
  const publisher = await openShared({ url: "redis://127.0.0.1:6379/0", prefix, mode: "closed" });
  try {
    const heard = Promise.withResolvers<string>();
    const subscribed = c.subscribe("notices", (m) => heard.resolve(m));
    await refused.promise; // the first connection attempts have failed
    proxy.start();
    await subscribed;
    await publisher.whenReady();
    await publisher.publish("notices", "callers");
    assert.equal(await heard.promise, "callers");
  } finally {
    await c.close();
    await publisher.close();
    await proxy.stop();
  }
});

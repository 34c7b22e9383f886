import assert from "node:assert/strict";
import { createSharedSpend } from "../../src/counters/spend.ts";
import { dropPrefix, sharedClient, TcpProxy, testPrefix } from "../_helpers/redis.ts";
import { openShared } from "../../src/counters/client.ts";

const DAY = "20261204";

Deno.test("shared spend: 200 concurrent reservations over four clients never pass the cap", async () => {
  const prefix = testPrefix();
  const clients = await Promise.all([1, 2, 3, 4].map(() => sharedClient(prefix)));
  try {
    const spends = clients.map((c) => createSharedSpend(c));
    const caps = [{ scope: "project:demo", cap: 1 }];
    const scopes = ["global", "project:demo", "key:dev"];
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => spends[i % 4]!.reserve({ day: DAY, scopes, caps, eur: 0.03 })),
    );
    const admitted = outcomes.filter((o) => o?.ok);
    // A reservation is an upper bound, so one that does not fit is refused: 33 × 0.03 = 0.99, a 34th
    // would make 1.02 > 1.
    assert.equal(admitted.length, 33);
    const refused = outcomes.find((o) => o !== null && !o.ok);
    assert.ok(refused !== undefined && !refused.ok);
    assert.equal(refused.cap.scope, "project:demo");
    assert.equal(refused.reserved, 0.99);
    assert.equal(refused.tooBig, true, "the cap is not used up; the call does not fit it");
    // Settle every admitted call at its real cost (less than reserved).
    const spent = await Promise.all(
      admitted.map((_, i) =>
        spends[i % 4]!.settle({ day: DAY, scopes, eur: 0.03 }, { day: DAY, scopes, eur: 0.02 })
      ),
    );
    assert.ok(spent.every((s) => s !== null));
    const hash = await clients[0]!.redis.hgetall(`${prefix}spend:${DAY}:project:demo`);
    assert.deepEqual(hash, { spent: String(33 * 0.02 * 1e9), reserved: "0", inflight: "0" });
    assert.equal(spends[0]!.spent("project:demo") !== undefined, true);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await dropPrefix(prefix);
  }
});

Deno.test("shared spend: downshift is decided on the shared total", async () => {
  const prefix = testPrefix();
  const c = await sharedClient(prefix);
  try {
    const spend = createSharedSpend(c);
    const scopes = ["global"];
    const caps = [{ scope: "global", cap: 1 }];
    const plain = await spend.reserve({ day: DAY, scopes, caps, eur: 0.5, alt: { at: 0.5, eur: 0.1 } });
    assert.deepEqual(plain, { ok: true, shifted: false, eur: 0.5 });
    const shifted = await spend.reserve({ day: DAY, scopes, caps, eur: 0.5, alt: { at: 0.5, eur: 0.1 } });
    assert.deepEqual(shifted, { ok: true, shifted: true, eur: 0.1 });
  } finally {
    await c.close();
    await dropPrefix(prefix);
  }
});

Deno.test("shared spend: a rebuild seeds the day once and never lowers a counter", async () => {
  const prefix = testPrefix();
  const c = await sharedClient(prefix);
  try {
    const spend = createSharedSpend(c);
    await spend.settle(null, { day: DAY, scopes: ["global", "key:a"], eur: 2 });
    assert.equal(await spend.seed(DAY, { global: 1.5, "key:b": 0.25 }), true);
    assert.equal(await spend.seed(DAY, { global: 9, "key:b": 9 }), false);
    assert.equal(await c.redis.hget(`${prefix}spend:${DAY}:global`, "spent"), String(2e9));
    assert.equal(await c.redis.hget(`${prefix}spend:${DAY}:key:b`, "spent"), String(0.25e9));
    assert.ok((await c.redis.ttl(`${prefix}spend:${DAY}:rebuilt`)) > 86_400);
  } finally {
    await c.close();
    await dropPrefix(prefix);
  }
});

Deno.test("shared spend: settlements made while Redis is down are queued and written when it returns", async () => {
  const prefix = testPrefix();
  const proxy = new TcpProxy();
  proxy.start();
  const c = await openShared({ url: proxy.url, prefix, mode: "open", pauseMs: 0 });
  await c.whenReady();
  const spend = createSharedSpend(c);
  try {
    await proxy.stop();
    await c.redis.ping().catch(() => {});
    assert.equal(c.available(), false);
    assert.equal(await spend.settle(null, { day: DAY, scopes: ["global"], eur: 0.5 }), null);
    assert.equal(await spend.settle(null, { day: DAY, scopes: ["global"], eur: 0.25 }), null);
    assert.equal(spend.queued(), 2);
    const back = c.whenReady();
    proxy.start();
    await back;
    await spend.drain();
    assert.equal(spend.queued(), 0);
    assert.equal(await c.redis.hget(`${prefix}spend:${DAY}:global`, "spent"), String(0.75e9));
  } finally {
    await c.close();
    await proxy.stop();
    await dropPrefix(prefix);
  }
});

Deno.test("shared spend: a restarted replica gives back what it held, and only that", async () => {
  const prefix = testPrefix();
  const [ca, cb] = await Promise.all([sharedClient(prefix), sharedClient(prefix)]);
  try {
    const a = createSharedSpend(ca!, { instance: "gw-a" });
    const b = createSharedSpend(cb!, { instance: "gw-b" });
    const scopes = ["global", "key:dev"];
    const caps = [{ scope: "global", cap: 1 }];
    for (let i = 0; i < 3; i++) assert.ok((await a.reserve({ day: DAY, scopes, caps, eur: 0.25 }))?.ok);
    assert.ok((await b.reserve({ day: DAY, scopes, caps, eur: 0.1 }))?.ok);
    // gw-a dies with its three calls in flight: 0.85 is committed until it comes back, so a call that may
    // cost 0.25 no longer fits (1.1 > 1) while one of 0.15 still does.
    const refused = await b.reserve({ day: DAY, scopes, caps, eur: 0.25 });
    assert.ok(refused !== null && !refused.ok && refused.tooBig === true, "0.85 + 0.25 > 1 is refused");
    const fits = await b.reserve({ day: DAY, scopes, caps, eur: 0.25 - 0.1 });
    assert.ok(fits !== null && fits.ok, "0.85 + 0.15 = 1 still fits");
    const again = createSharedSpend(ca!, { instance: "gw-a" });
    assert.equal(await again.recover(), 3);
    assert.equal(await again.recover(), 0, "a second recovery finds nothing");
    const hash = await ca!.redis.hgetall(`${prefix}spend:${DAY}:global`);
    assert.deepEqual(hash, {
      reserved: String(0.25e9),
      inflight: "2",
      "r:gw-b": String(0.25e9),
      "n:gw-b": "2",
    });
    // gw-b's calls settle normally afterwards.
    await b.settle({ day: DAY, scopes, eur: 0.1 }, { day: DAY, scopes, eur: 0.05 });
    await b.settle({ day: DAY, scopes, eur: 0.25 - 0.1 }, { day: DAY, scopes, eur: 0.05 });
    assert.deepEqual(await ca!.redis.hgetall(`${prefix}spend:${DAY}:global`), {
      reserved: "0",
      inflight: "0",
      spent: String(0.1e9),
    });
  } finally {
    await Promise.all([ca!.close(), cb!.close()]);
    await dropPrefix(prefix);
  }
});

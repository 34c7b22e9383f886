import assert from "node:assert/strict";
import { createSharedUses } from "../../src/counters/uses.ts";
import { createSharedNotices } from "../../src/counters/notices.ts";
import { dropPrefix, sharedClient, testPrefix } from "../_helpers/redis.ts";

Deno.test("shared uses: max_requests 7 holds over 60 concurrent takes on three clients", async () => {
  const prefix = testPrefix();
  const clients = await Promise.all([1, 2, 3].map(() => sharedClient(prefix)));
  try {
    const uses = clients.map((c) => createSharedUses(c));
    const taken = await Promise.all(Array.from({ length: 60 }, (_, i) => uses[i % 3]!.take("tok1", 7, 0)));
    assert.equal(taken.filter((t) => t === true).length, 7);
    assert.equal(taken.filter((t) => t === false).length, 53);
    assert.equal(await clients[0]!.redis.get(`${prefix}uses:tok1`), "7");
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await dropPrefix(prefix);
  }
});

Deno.test("shared uses: the store's count is the floor, and no maximum means no limit", async () => {
  const prefix = testPrefix();
  const c = await sharedClient(prefix);
  try {
    const uses = createSharedUses(c);
    assert.equal(await uses.take("tok2", 5, 4), true);
    assert.equal(await uses.take("tok2", 5, 0), false);
    for (let i = 0; i < 20; i++) assert.equal(await uses.take("tok3", null, 0), true);
    assert.equal(await c.redis.get(`${prefix}uses:tok3`), "20");
  } finally {
    await c.close();
    await dropPrefix(prefix);
  }
});

Deno.test("shared notices: an announcement reaches every replica's listener", async () => {
  const prefix = testPrefix();
  const [a, b] = await Promise.all([sharedClient(prefix), sharedClient(prefix)]);
  try {
    const heard = Promise.withResolvers<void>();
    await createSharedNotices(b!).listen(() => heard.resolve());
    const started = performance.now();
    await createSharedNotices(a!).announce();
    await heard.promise;
    assert.ok(performance.now() - started < 1000);
  } finally {
    await Promise.all([a!.close(), b!.close()]);
    await dropPrefix(prefix);
  }
});

/**
 * Faults of the PostgreSQL store with the real `azmw serve` and the real server behind a TCP proxy that
 * the test stops, slows and restarts: down at start, lost mid-traffic, slow. The gateway never crashes,
 * serves what it can (config keys always; store keys from the snapshot once loaded, a clear 503 before),
 * shows the state in /health and /metrics, keeps every record in its files and ships them all once the
 * server is back — by itself.
 */
import assert from "node:assert/strict";
import { serveMock } from "../../src/mock/mod.ts";
import { openPostgresPool, openPostgresStore } from "../../src/store/postgres_open.ts";
import { UPSTREAM_KEY } from "../_helpers/app.ts";
import { dropAtEnd, freshDatabase } from "../_helpers/postgres.ts";
import { tcpProxy } from "../_helpers/tcp_proxy.ts";
import { seedStore } from "../governance/_fixtures.ts";
import { FIXED_KEY, startReplica } from "./_serve.ts";
import { fileLines, until } from "../_helpers/until.ts";

const db = await freshDatabase();

Deno.test({
  name: "PostgreSQL down at start, lost mid-traffic and slow: the gateway serves, loses no record, recovers",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const seeded = await seedStore({ path: db.url });
    await seeded.store.close();
    const proxy = tcpProxy({ hostname: "127.0.0.1", port: 5432 });
    const mock = serveMock({ apiKey: UPSTREAM_KEY });
    const dir = await Deno.makeTempDir();
    const logs = `${dir}/logs`;
    const replica = await startReplica({
      dir,
      instance: "r1",
      mockUrl: mock.url,
      env: {
        AZMW_DATABASE_URL: db.url.replace("127.0.0.1:5432", `127.0.0.1:${proxy.port}`),
        UP_KEY: UPSTREAM_KEY,
      },
    });
    const sql = await openPostgresPool(db.url, { max: 1 });
    const shipped = async () => Number((await sql`SELECT count(*)::int AS n FROM call_records`)[0]!.n);
    try {
      const { url, call, health } = replica;

      // Down at start: the gateway is up, says so, serves config keys and refuses store keys clearly.
      const h0 = await health();
      assert.equal(h0.status, "degraded");
      const probe = await fetch(`${url}/health?ready`);
      assert.equal(probe.status, 503, "not ready before the store's first load");
      await probe.body?.cancel();
      assert.equal(h0.store.up, false);
      assert.match(h0.store.error, /ECONNREFUSED/);
      assert.equal(h0.record_shipping.up, false);
      assert.ok(!JSON.stringify(h0).includes(proxy.port + "/"), "no database URL in /health");
      const metrics0 = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics0, /^azmw_store_up 0$/m);
      assert.match(metrics0, /^azmw_records_ship_up 0$/m);
      for (let i = 0; i < 3; i++) assert.equal((await call(FIXED_KEY)).status, 200);
      const refused = await call(seeded.key);
      assert.equal(refused.status, 503);
      assert.equal(refused.body.error.code, "store_unavailable");
      const manage = (method: string, path: string, body?: unknown) =>
        fetch(`${url}/manage${path}`, {
          method,
          headers: { authorization: "Bearer manage-secret", "content-type": "application/json" },
          ...(body ? { body: JSON.stringify(body) } : {}),
        }).then(async (r) => ({ status: r.status, body: await r.json() }));
      const write = await manage("POST", "/projects", { name: "during" });
      assert.deepEqual([write.status, write.body.error.code], [503, "store_unavailable"]);

      // The server comes back: the store and the shipping recover by themselves.
      proxy.start();
      await until("the store to be up", async () => (await health()).store.up === true);
      assert.equal((await call(seeded.key)).status, 200);
      assert.equal((await health()).status, "ok");
      await until("every record so far to be shipped", async () => await shipped() === await fileLines(logs));
      assert.match(await (await fetch(`${url}/metrics`)).text(), /^azmw_store_up 1$/m);

      // Lost mid-traffic: store keys keep working from the snapshot, records stay in the files.
      await proxy.stop();
      const during = await Promise.all(
        Array.from({ length: 10 }, (_, i) => call(i % 2 ? seeded.key : FIXED_KEY)),
      );
      assert.deepEqual(during.map((r) => r.status), Array(10).fill(200));
      await until("the outage to show", async () => (await health()).store.up === false);
      assert.equal((await manage("GET", "/keys")).status, 503);
      const ready = await fetch(`${url}/health?ready`);
      assert.equal(ready.status, 200, "still ready: the snapshot serves");
      await ready.body?.cancel();
      const lost = await fileLines(logs);
      assert.ok(await shipped() < lost, "the calls of the outage are not in PostgreSQL yet");

      // Slow: calls do not wait for PostgreSQL.
      proxy.delayMs = 300;
      proxy.start();
      const slow = await Promise.all(Array.from({ length: 5 }, () => call(seeded.key)));
      assert.deepEqual(slow.map((r) => r.status), Array(5).fill(200));
      proxy.delayMs = 0;

      // Back: it catches up with everything written meanwhile.
      await until("the catch-up", async () => await shipped() === await fileLines(logs));
      await until("the store to be up again", async () => (await health()).store.up === true);
    } finally {
      const { code, err } = await replica.stop();
      assert.equal(code, 0, err);
      await proxy.stop();
      await mock.shutdown();
    }
    // Shutdown ships the last records too.
    assert.equal(await shipped(), await fileLines(logs));
    const ids = await sql`SELECT count(DISTINCT id)::int AS n FROM call_records`;
    assert.equal(ids[0]!.n, await fileLines(logs), "no record twice");
    await sql.end();
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "a PostgreSQL server that stops answering counts as lost, and the snapshot keeps serving",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const seeded = await seedStore({ path: db.url, project: { name: "slow" } });
    const digest = (await seeded.store.getKey(seeded.keyId))!.sha256;
    await seeded.store.close();
    const proxy = tcpProxy({ hostname: "127.0.0.1", port: 5432 });
    proxy.start();
    const url = db.url.replace("127.0.0.1:5432", `127.0.0.1:${proxy.port}`);
    const store = await openPostgresStore(url, { refreshMs: 600_000, retryMs: 600_000, timeoutMs: 200 });
    assert.equal(store.health().up, true);
    proxy.delayMs = 1_000;
    await store.refresh();
    assert.equal(store.health().up, false);
    assert.match(
      store.health().error!,
      /TIMEOUT \(Refreshing the credential snapshot took longer than 200 ms\)/,
    );
    const found = await store.findCredential(digest);
    assert.equal(found?.kind === "key" && found.key.id, seeded.keyId, "answered from the snapshot");
    proxy.delayMs = 0;
    await proxy.stop();
    await store.close();
  },
});

dropAtEnd(db);

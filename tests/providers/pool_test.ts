import assert from "node:assert/strict";
import { createUpstreamPool, originOf } from "../../src/providers/pool.ts";
import { azureUpstream } from "../_helpers/config.ts";

Deno.test("originOf() cuts a URL after its host and port", () => {
  assert.equal(originOf("https://r.example:8443/openai/x?y=1"), "https://r.example:8443");
  assert.equal(originOf("http://127.0.0.1:4000"), "http://127.0.0.1:4000");
});

Deno.test("createUpstreamPool() reuses one kept-alive connection per upstream", async () => {
  const ports: number[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (_req, info) => {
    ports.push(info.remoteAddr.port);
    return new Response("ok");
  });
  const url = `http://127.0.0.1:${server.addr.port}`;
  const pool = createUpstreamPool([
    azureUpstream(url, { pool: { maxIdlePerHost: 4, idleTimeoutMs: 30_000 } }),
  ]);
  try {
    for (let i = 0; i < 5; i++) {
      const res = await pool.fetch(`${url}/openai/x`, { method: "POST", body: "{}" });
      await res.text();
    }
    assert.equal(ports.length, 5);
    assert.equal(new Set(ports).size, 1, `one client port (one connection) for all calls: ${ports}`);
  } finally {
    pool.close();
    await server.shutdown();
  }
});

Deno.test("createUpstreamPool() passes each upstream's client and pool settings to fetch", async () => {
  const made: Deno.CreateHttpClientOptions[] = [];
  const seen: (Deno.HttpClient | undefined)[] = [];
  const pool = createUpstreamPool(
    [
      azureUpstream("https://a.example", { name: "a", pool: { maxIdlePerHost: 2, idleTimeoutMs: 0 } }),
      azureUpstream("https://a.example/other", { name: "b" }),
      azureUpstream("https://b.example", { name: "c" }),
    ],
    {
      createHttpClient: (o) => {
        made.push(o);
        return { close() {} } as Deno.HttpClient;
      },
      fetch: ((_url: string, init: RequestInit & { client?: Deno.HttpClient }) => {
        seen.push(init.client);
        return Promise.resolve(new Response(""));
      }) as typeof fetch,
    },
  );
  assert.deepEqual(made, [
    { poolMaxIdlePerHost: 2, poolIdleTimeout: false },
    { poolMaxIdlePerHost: 64, poolIdleTimeout: 90_000 },
  ]);
  await pool.fetch("https://a.example/openai/x", {});
  await pool.fetch("https://b.example/openai/x", {});
  await pool.fetch("https://elsewhere.example/", {});
  assert.ok(seen[0] && seen[1] && seen[0] !== seen[1]);
  assert.equal(seen[2], undefined);
  pool.close();
});

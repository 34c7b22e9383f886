import assert from "node:assert/strict";
import { BytesBlob } from "../../src/providers/bytes_blob.ts";
import { createUpstreamPool, LARGE_UPLOAD_BYTES, once, originOf } from "../../src/providers/pool.ts";
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

Deno.test("once() sends bytes and text as a Blob, a large body as a BytesBlob of the same bytes", async () => {
  const small = new TextEncoder().encode('{"a":1}');
  const large = new Uint8Array(LARGE_UPLOAD_BYTES + 1).fill(120);
  const text = "y".repeat(LARGE_UPLOAD_BYTES + 1);
  for (const body of [small, '{"a":1}']) {
    const sent = once(body);
    assert.ok(sent instanceof Blob && !(sent instanceof BytesBlob));
  }
  const a = once(large);
  assert.ok(a instanceof BytesBlob);
  assert.deepEqual(await a.bytes(), large);
  const b = once(text);
  assert.ok(b instanceof BytesBlob);
  assert.equal(await b.text(), text);
  const stream = new ReadableStream();
  assert.equal(once(stream), stream, "other bodies pass as they are");
});

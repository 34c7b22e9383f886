import assert from "node:assert/strict";
import { BytesBlob } from "../../src/providers/bytes_blob.ts";

const partsOf = (...sizes: number[]) =>
  sizes.map((n, k) => new Uint8Array(n).map((_, i) => (i * 7 + k) % 251) as Uint8Array<ArrayBuffer>);

Deno.test("BytesBlob goes through fetch whole, with its content-length, and leaves its parts intact", async () => {
  const parts = partsOf(300_000, 1, 70_000);
  const got: { length: string | null; chunked: string | null; bytes: Uint8Array }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    got.push({
      length: req.headers.get("content-length"),
      chunked: req.headers.get("transfer-encoding"),
      bytes: await req.bytes(),
    });
    return new Response("ok");
  });
  try {
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/`, {
      method: "POST",
      body: new BytesBlob(parts),
    });
    assert.equal(await res.text(), "ok");
  } finally {
    await server.shutdown();
  }
  const whole = await new Blob(parts).bytes();
  assert.equal(got.length, 1);
  assert.equal(got[0]!.length, String(whole.byteLength));
  assert.equal(got[0]!.chunked, null);
  assert.deepEqual(got[0]!.bytes, whole);
  assert.deepEqual(parts.map((p) => p.byteLength), [300_000, 1, 70_000], "no part was detached");
});

Deno.test("BytesBlob reads like a Blob of the same parts", async () => {
  const parts = partsOf(5, 0, 3, 9);
  const own = new BytesBlob(parts);
  const native = new Blob(parts);
  assert.equal(own.size, native.size);
  assert.ok(own instanceof Blob);
  assert.deepEqual(await own.bytes(), await native.bytes());
  assert.deepEqual(new Uint8Array(await own.arrayBuffer()), new Uint8Array(await native.arrayBuffer()));
  const text = new BytesBlob([new TextEncoder().encode('{"a":"é"}') as Uint8Array<ArrayBuffer>]);
  assert.equal(await text.text(), '{"a":"é"}');
  for (const [a, b] of [[0, 17], [2, 11], [4, 6], [-5, -1], [-100, 100], [8, 3], [5, 5]]) {
    assert.deepEqual(await own.slice(a, b).bytes(), await native.slice(a, b).bytes(), `slice(${a}, ${b})`);
  }
  assert.deepEqual(await own.slice(3).bytes(), await native.slice(3).bytes());
  const streamed = await new Response(own.stream()).bytes();
  assert.deepEqual(streamed, await native.bytes());
});

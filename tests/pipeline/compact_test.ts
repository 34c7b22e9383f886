import assert from "node:assert/strict";
import { compact } from "../../src/pipeline/relay.ts";

const enc = new TextEncoder();

function byteStream(parts: string[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    type: "bytes",
    pull(ctl) {
      if (i === parts.length) {
        ctl.close();
        ctl.byobRequest?.respond(0);
        return;
      }
      const chunk = enc.encode(parts[i++]!);
      const req = ctl.byobRequest;
      if (req?.view) {
        new Uint8Array(req.view.buffer, req.view.byteOffset, chunk.length).set(chunk);
        req.respond(chunk.length);
      } else ctl.enqueue(chunk);
    },
  });
}

Deno.test("compact() relays a byte stream as exact-size copies, in order", async () => {
  const parts = ["data: one\n\n", "data: two\n\n", "data: [DONE]\n\n"];
  const out: Uint8Array[] = [];
  for await (const c of compact(byteStream(parts))) out.push(c);
  assert.equal(new TextDecoder().decode(new Uint8Array(out.flatMap((c) => [...c]))), parts.join(""));
  for (const c of out) assert.equal(c.buffer.byteLength, c.byteLength, "no chunk pins a larger buffer");
});

Deno.test("compact() passes streams that are not byte streams through unchanged", () => {
  const plain = ReadableStream.from([enc.encode("x")]);
  assert.equal(compact(plain), plain);
});

Deno.test("compact() passes cancellation on to the source", async () => {
  let cancelled: unknown;
  const src = new ReadableStream({ type: "bytes", cancel: (r) => void (cancelled = r) });
  const s = compact(src);
  await s.cancel("client left");
  assert.equal(cancelled, "client left");
});

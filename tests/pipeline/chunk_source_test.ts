import assert from "node:assert/strict";
import { chunkSource } from "../../src/pipeline/relay.ts";

const enc = new TextEncoder();

function byteStream(parts: string[]): ReadableStream<Uint8Array> {
  let i = 0;
  let rest = new Uint8Array(0);
  return new ReadableStream({
    type: "bytes",
    pull(ctl) {
      if (rest.length === 0 && i === parts.length) {
        ctl.close();
        ctl.byobRequest?.respond(0);
        return;
      }
      if (rest.length === 0) rest = enc.encode(parts[i++]!);
      const req = ctl.byobRequest;
      if (req?.view) {
        // Like a socket: a read fills at most the reader's buffer and keeps the rest for the next one.
        const n = Math.min(rest.length, req.view.byteLength);
        new Uint8Array(req.view.buffer, req.view.byteOffset, n).set(rest.subarray(0, n));
        rest = rest.subarray(n);
        req.respond(n);
      } else {
        ctl.enqueue(rest);
        rest = new Uint8Array(0);
      }
    },
  });
}

async function drain(body: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const source = chunkSource(body);
  const out: Uint8Array[] = [];
  for (let r = await source.read(); !r.done; r = await source.read()) out.push(r.value);
  return out;
}

Deno.test("chunkSource() reads a byte stream as exact-size copies, in order", async () => {
  const parts = ["data: one\n\n", "data: two\n\n", "data: [DONE]\n\n"];
  const out = await drain(byteStream(parts));
  assert.equal(new TextDecoder().decode(new Uint8Array(out.flatMap((c) => [...c]))), parts.join(""));
  for (const c of out) assert.equal(c.buffer.byteLength, c.byteLength, "no chunk pins a larger buffer");
});

Deno.test("chunkSource() reads streams that are not byte streams as they are", async () => {
  const chunk = enc.encode("x");
  const out = await drain(ReadableStream.from([chunk]));
  assert.equal(out.length, 1);
  assert.equal(out[0], chunk);
});

Deno.test("chunkSource() passes cancellation on to the body", async (t) => {
  let cancelled: unknown;
  const cancel = (r: unknown) => void (cancelled = r);
  const bodies = {
    bytes: new ReadableStream({ type: "bytes", cancel }),
    default: new ReadableStream({ cancel }),
  };
  for (const [name, body] of Object.entries(bodies)) {
    await t.step(name, async () => {
      cancelled = undefined;
      await chunkSource(body).cancel("client left");
      assert.equal(cancelled, "client left");
    });
  }
});

Deno.test("chunkSource() reads a chunk larger than its buffer in several exact-size parts", async () => {
  const big = "data: " + "x".repeat(10_000) + "\n\n";
  const out = await drain(byteStream([big, "data: [DONE]\n\n"]));
  assert.ok(out.length > 2, `${out.length} reads`);
  assert.equal(
    new TextDecoder().decode(new Uint8Array(out.flatMap((c) => [...c]))),
    big + "data: [DONE]\n\n",
  );
  for (const c of out) assert.ok(c.byteLength <= 4096);
});

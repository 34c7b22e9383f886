import assert from "node:assert/strict";
import { gunzipSync, gzipSync } from "node:zlib";
import { gzipBody, gzipOptions } from "../../src/logs/gzip.ts";

const enc = new TextEncoder();

Deno.test("gzipBody() gives gzipSync()'s bytes for the same options, body after body, at every window size", () => {
  let text = "";
  for (let i = 0; text.length < 70_000; i++) text += `word${(i * 7919) % 997} ünïcödé `;
  const all = enc.encode(text);
  const random = crypto.getRandomValues(new Uint8Array(40_000)); // incompressible: the output outgrows it
  const bodies = [128, 300, 511, 512, 513, 1_500, 5_000, 32_768, 65_536, 70_000, 300].map((n) =>
    all.subarray(0, n)
  );
  for (const body of [...bodies, random, all.subarray(0, 128)]) {
    const mine = gzipBody(body);
    assert.deepEqual(
      new Uint8Array(mine),
      new Uint8Array(gzipSync(body, gzipOptions(body.length))),
      `${body.length}`,
    );
    assert.deepEqual(new Uint8Array(gunzipSync(mine)), new Uint8Array(body));
  }
});

Deno.test("gzipOptions() sizes the window to the body, from 512 bytes to zlib's 32 KiB", () => {
  assert.deepEqual(gzipOptions(0), { windowBits: 9, memLevel: 2 });
  assert.deepEqual(gzipOptions(512), { windowBits: 9, memLevel: 2 });
  assert.deepEqual(gzipOptions(513), { windowBits: 10, memLevel: 3 });
  assert.deepEqual(gzipOptions(1 << 20), { windowBits: 15, memLevel: 8 });
});

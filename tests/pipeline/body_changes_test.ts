import assert from "node:assert/strict";
import { changedBody, fieldsBefore } from "../../src/pipeline/body_changes.ts";
import { LARGE_BODY_BYTES, parseJsonObject } from "../../src/pipeline/body.ts";
import { BytesBlob } from "../../src/providers/bytes_blob.ts";

const enc = new TextEncoder();
const bytesOf = (text: string) => enc.encode(text) as Uint8Array<ArrayBuffer>;
const big = "x".repeat(LARGE_BODY_BYTES);

/** Parses `text`, applies `change` to the body, and returns what `changedBody` makes of it. */
function change(text: string, apply: (body: Record<string, unknown>) => void) {
  const bytes = bytesOf(text);
  const body = parseJsonObject(bytes);
  const before = fieldsBefore(bytes, body);
  apply(body);
  return { body, ...changedBody(bytes, body, before) };
}

Deno.test("changedBody() encodes a small changed body again", () => {
  const { body, sent, again } = change('{"model":"a", "n":1}', (b) => Object.assign(b, { max_tokens: 5 }));
  assert.ok(sent instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(sent), '{"model":"a","n":1,"max_tokens":5}');
  assert.deepEqual(again(), body);
  assert.notEqual(again(), body, "a fresh object for each attempt");
});

Deno.test("changedBody() appends the fields added to a large body to the client's own bytes", async () => {
  const text = `{ "model" : "a",\n "messages": [{"role":"user","content":"${big}"}], "n": 1.50 }\n\t `;
  const { body, sent, again } = change(text, (b) => Object.assign(b, { max_tokens: 64, model: "a" }));
  assert.ok(sent instanceof BytesBlob);
  const got = await sent.text();
  assert.equal(got, `${text.slice(0, text.lastIndexOf("}"))},"max_tokens":64}`);
  assert.equal(sent.size, enc.encode(got).byteLength);
  assert.deepEqual(JSON.parse(got), body);
  assert.deepEqual(again(), body);
  assert.notEqual(again(), body, "a fresh object for each attempt");
});

Deno.test("changedBody() adds to an empty large object without a comma", async () => {
  const text = `{${" ".repeat(LARGE_BODY_BYTES)}}`;
  const { sent } = change(text, (b) => Object.assign(b, { model: "m", max_tokens: 1 }));
  assert.equal(await (sent as Blob).text(), `${text.slice(0, -1)}"model":"m","max_tokens":1}`);
});

Deno.test("changedBody() encodes a large body again when a field it had was changed or removed", () => {
  const text = `{"model":"a","content":"${big}","max_tokens":9}`;
  const changed = change(text, (b) => Object.assign(b, { model: "b" }));
  assert.ok(changed.sent instanceof Uint8Array);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(changed.sent)), changed.body);
  const removed = change(text, (b) => delete b.max_tokens);
  assert.ok(removed.sent instanceof Uint8Array);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(removed.sent)), { model: "a", content: big });
});

import assert from "node:assert/strict";
import { clientResponseHeaders, HeaderList, upstreamRequestHeaders } from "../../src/pipeline/headers.ts";

Deno.test("upstreamRequestHeaders() strips credentials, hop-by-hop and framing headers", () => {
  const out = upstreamRequestHeaders(
    new Headers({
      authorization: "Bearer caller",
      "api-key": "caller",
      "x-api-key": "caller",
      connection: "keep-alive, x-secret-hop",
      "x-secret-hop": "1",
      "keep-alive": "timeout=5",
      host: "gateway",
      "content-length": "10",
      "accept-encoding": "gzip",
      cookie: "a=b",
      "x-forwarded-for": "10.0.0.1",
      "user-agent": "OpenAI/JS 7",
      "x-ms-client-request-id": "abc",
      "openai-beta": "assistants=v2",
      "content-type": "application/json",
    }),
  );
  assert.deepEqual([...out.keys()].sort(), [
    "content-type",
    "openai-beta",
    "user-agent",
    "x-ms-client-request-id",
  ]);
});

Deno.test("upstreamRequestHeaders() defaults the content type to JSON", () => {
  assert.equal(upstreamRequestHeaders(new Headers()).get("content-type"), "application/json");
});

Deno.test("clientResponseHeaders() keeps request ids and rate-limit headers", () => {
  const out = clientResponseHeaders(
    new Headers({
      "x-request-id": "req1",
      "apim-request-id": "apim1",
      "x-ratelimit-remaining-requests": "99",
      "retry-after": "3",
      "content-type": "application/json",
      "content-length": "123",
      "content-encoding": "gzip",
      "transfer-encoding": "chunked",
      "set-cookie": "x=y",
      connection: "close",
    }),
  );
  assert.deepEqual([...out.keys()].sort(), [
    "apim-request-id",
    "content-type",
    "retry-after",
    "x-ratelimit-remaining-requests",
    "x-request-id",
  ]);
});

Deno.test("HeaderList reads and changes headers like Headers, case-insensitively, and keeps repeats", () => {
  const h = new HeaderList();
  h.append("X-Tag", "a");
  h.append("x-tag", "b");
  h.append("Content-Type", "text/plain");
  assert.equal(h.get("x-TAG"), "a, b");
  assert.equal(h.has("CONTENT-type"), true);
  assert.equal(h.get("missing"), null);
  h.set("X-Tag", "c");
  assert.deepEqual(h.pairs, [["content-type", "text/plain"], ["x-tag", "c"]]);
  h.delete("content-type");
  assert.deepEqual(h.keys(), ["x-tag"]);
  // fetch takes the pairs as they are.
  const req = new Request("http://upstream.test/", { method: "POST", headers: h.pairs, body: "{}" });
  assert.equal(req.headers.get("x-tag"), "c");
});

Deno.test("upstreamRequestHeaders() keeps every value of a repeated header", () => {
  const incoming = new Headers([["x-trace", "1"], ["x-trace", "2"], ["api-key", "caller"]]);
  const out = upstreamRequestHeaders(incoming);
  assert.equal(out.get("x-trace"), "1, 2");
  assert.equal(out.has("api-key"), false);
});

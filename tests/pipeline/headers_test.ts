import assert from "node:assert/strict";
import { clientResponseHeaders, upstreamRequestHeaders } from "../../src/pipeline/headers.ts";

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

import assert from "node:assert/strict";
import { anthropicErrorType, ConfigError, errorResponse, GatewayError } from "../../src/core/errors.ts";

Deno.test("errorResponse() renders the OpenAI error shape with headers", async () => {
  const res = errorResponse(
    new GatewayError(429, "rate_limited", "Slow down", { headers: { "retry-after": "3" } }),
  );
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("retry-after"), "3");
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.deepEqual(await res.json(), {
    error: { message: "Slow down", type: "rate_limit_error", param: null, code: "rate_limited" },
  });
});

Deno.test("errorResponse() renders the Anthropic error shape on that dialect", async () => {
  const res = errorResponse(new GatewayError(401, "invalid_api_key", "Bad key"), "anthropic");
  assert.deepEqual(await res.json(), {
    type: "error",
    error: { type: "authentication_error", message: "Bad key" },
  });
  const r2 = errorResponse(new GatewayError(503, "x", "busy"), "anthropic");
  assert.equal((await r2.json()).error.type, "overloaded_error");
});

Deno.test("errorResponse() hides unknown errors behind a 500", async () => {
  const res = errorResponse(new Error("secret internals"));
  assert.equal(res.status, 500);
  const body = await res.text();
  assert.ok(!body.includes("secret"));
  assert.match(body, /internal_error/);
});

Deno.test("GatewayError picks a type from the status", () => {
  const types = [400, 401, 403, 404, 413, 429, 500, 501, 502, 504].map((s) =>
    new GatewayError(s, "c", "m").type
  );
  assert.deepEqual(types, [
    "invalid_request_error",
    "authentication_error",
    "permission_error",
    "not_found_error",
    "request_too_large",
    "rate_limit_error",
    "server_error",
    "not_implemented",
    "upstream_error",
    "timeout_error",
  ]);
});

Deno.test("ConfigError lists every issue with its path", () => {
  const e = new ConfigError(
    [{ path: "server.port", message: "bad" }, { path: "", message: "empty" }],
    "a.yaml",
  );
  assert.match(e.message, /Invalid a\.yaml:\n {2}- server\.port: bad\n {2}- \(root\): empty/);
});

Deno.test("errorResponse() and the Anthropic translation share one status table (402, 529 included)", async () => {
  const billing = errorResponse(new GatewayError(402, "billing", "Pay up"), "anthropic");
  assert.equal((await billing.json()).error.type, "billing_error");
  assert.equal(anthropicErrorType(529), "overloaded_error");
  assert.equal(anthropicErrorType(418), "invalid_request_error");
  assert.equal(anthropicErrorType(599), "api_error");
});

import assert from "node:assert/strict";
import { anthropicErrorToOpenAI, openaiErrorToAnthropic } from "../../../src/providers/anthropic/errors.ts";
import { fixtureText } from "../_fixtures.ts";

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("anthropicErrorToOpenAI() maps recorded Anthropic errors to the OpenAI shape", () => {
  const overloaded = anthropicErrorToOpenAI(529, enc(fixtureText("anthropic/error_overloaded.json")));
  assert.equal(overloaded.status, 503);
  assert.deepEqual(JSON.parse(overloaded.body), {
    error: { message: "Overloaded", type: "server_error", param: null, code: "overloaded_error" },
  });
  const invalid = anthropicErrorToOpenAI(400, enc(fixtureText("anthropic/error_invalid.json")));
  assert.equal(invalid.status, 400);
  assert.equal(JSON.parse(invalid.body).error.type, "invalid_request_error");
  assert.match(JSON.parse(invalid.body).error.message, /max_tokens/);
  const garbage = anthropicErrorToOpenAI(502, enc("<html>Bad gateway</html>"));
  assert.deepEqual(JSON.parse(garbage.body).error.code, "api_error");
});

Deno.test("openaiErrorToAnthropic() maps OpenAI and Azure errors to the Anthropic shape", () => {
  const rate = openaiErrorToAnthropic(
    429,
    enc('{"error":{"message":"Slow down","type":"requests","code":"rate_limit_exceeded"}}'),
  );
  assert.deepEqual(JSON.parse(rate.body), {
    type: "error",
    error: { type: "rate_limit_error", message: "Slow down" },
  });
  const azure = openaiErrorToAnthropic(
    404,
    enc('{"error":{"code":"DeploymentNotFound","message":"No deployment"}}'),
  );
  assert.deepEqual(JSON.parse(azure.body).error, { type: "not_found_error", message: "No deployment" });
  const other = openaiErrorToAnthropic(500, enc("oops"));
  assert.equal(JSON.parse(other.body).error.type, "api_error");
});

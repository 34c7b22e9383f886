import assert from "node:assert/strict";
import { matchRoute } from "../../src/core/routes.ts";

Deno.test("matchRoute() maps every inference style to its operation", () => {
  const cases: [string, string, string, string][] = [
    ["/openai/deployments/gpt-4o/chat/completions", "deployment", "chat", "azure"],
    ["/openai/deployments/gpt-4o/completions", "deployment", "completions", "azure"],
    ["/openai/deployments/emb/embeddings", "deployment", "embeddings", "azure"],
    ["/openai/deployments/gpt-4o/responses", "deployment", "responses", "azure"],
    ["/openai/responses", "azure_responses", "responses", "azure"],
    ["/openai/v1/chat/completions", "azure_v1", "chat", "azure"],
    ["/openai/v1/embeddings", "azure_v1", "embeddings", "azure"],
    ["/openai/v1/responses", "azure_v1", "responses", "azure"],
    ["/v1/chat/completions", "openai", "chat", "openai"],
    ["/v1/completions", "openai", "completions", "openai"],
    ["/v1/embeddings", "openai", "embeddings", "openai"],
    ["/v1/responses", "openai", "responses", "openai"],
    ["/v1/chat/completions/", "openai", "chat", "openai"],
    ["/v1/messages", "anthropic", "messages", "anthropic"],
  ];
  for (const [path, style, operation, dialect] of cases) {
    const m = matchRoute("POST", path);
    assert.ok(m && m.kind === "inference", path);
    assert.equal(m.style, style, path);
    assert.equal(m.operation, operation, path);
    assert.equal(m.dialect, dialect, path);
  }
});

Deno.test("matchRoute() decodes the deployment name", () => {
  const m = matchRoute("POST", "/openai/deployments/my%20dep/chat/completions");
  assert.ok(m && m.kind === "inference");
  assert.equal(m.deployment, "my dep");
  assert.equal(matchRoute("POST", "/openai/deployments/%E0%A4%A/chat/completions"), null);
});

Deno.test("matchRoute() serves models and health on GET only", () => {
  assert.deepEqual(matchRoute("GET", "/v1/models"), { kind: "models", dialect: "openai" });
  assert.deepEqual(matchRoute("GET", "/openai/v1/models"), { kind: "models", dialect: "azure" });
  assert.deepEqual(matchRoute("GET", "/health"), { kind: "health", dialect: "openai" });
  assert.deepEqual(matchRoute("HEAD", "/health"), { kind: "health", dialect: "openai" });
  assert.equal(matchRoute("POST", "/health"), null);
  assert.equal(matchRoute("GET", "/v1/chat/completions"), null);
});

Deno.test("matchRoute() returns null for unknown paths and methods", () => {
  for (
    const [method, path] of [
      ["POST", "/v1/audio/speech"],
      ["POST", "/openai/deployments/x/images/generations"],
      ["POST", "/openai/deployments//chat/completions"],
      ["POST", "/openai/deployments/x"],
      ["DELETE", "/v1/chat/completions"],
      ["PUT", "/openai/v1/responses"],
      ["POST", "/"],
      ["GET", "/nope"],
    ]
  ) assert.equal(matchRoute(method!, path!), null, `${method} ${path}`);
});

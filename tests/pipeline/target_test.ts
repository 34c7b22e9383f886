import assert from "node:assert/strict";
import { TargetIndex } from "../../src/pipeline/target.ts";
import type { GatewayError } from "../../src/server/errors.ts";
import type { InferenceRoute } from "../../src/server/routes.ts";
import { azureUpstream, testConfig } from "../_helpers/config.ts";

const index = new TargetIndex(testConfig([
  azureUpstream("https://a.example"),
  azureUpstream("https://b.example", {
    name: "second",
    deployments: [{ name: "gpt-4.1", model: "gpt-4.1", aliases: ["gpt-4o"] }],
  }),
]));
const openai: InferenceRoute = { kind: "inference", dialect: "openai", style: "openai", operation: "chat" };

Deno.test("TargetIndex resolves deployment, model and alias names", () => {
  assert.equal(index.resolve(openai, "gpt-4o-prod").deployment.name, "gpt-4o-prod");
  assert.equal(index.resolve(openai, "gpt-4o").deployment.name, "gpt-4o-prod");
  assert.equal(index.resolve(openai, "gpt-4o-latest").deployment.name, "gpt-4o-prod");
  assert.equal(index.resolve(openai, "gpt-4.1").upstream.name, "second");
  const dep: InferenceRoute = { ...openai, dialect: "azure", style: "deployment", deployment: "gpt-4.1" };
  assert.equal(index.resolve(dep, "ignored").upstream.name, "second");
});

Deno.test("TargetIndex lists public names once, first upstream winning", () => {
  assert.deepEqual(index.models.map((m) => m.id), [
    "gpt-4o",
    "gpt-4o-latest",
    "text-embedding-3-small",
    "gpt-4.1",
  ]);
});

Deno.test("TargetIndex answers 404 for unknown names and 400 without a model", () => {
  const dep: InferenceRoute = { ...openai, dialect: "azure", style: "deployment", deployment: "nope" };
  assert.throws(
    () => index.resolve(dep, undefined),
    (e: GatewayError) => e.status === 404 && e.code === "DeploymentNotFound",
  );
  assert.throws(
    () => index.resolve(openai, "nope"),
    (e: GatewayError) => e.status === 404 && e.code === "model_not_found",
  );
  assert.throws(
    () => index.resolve(openai, undefined),
    (e: GatewayError) => e.status === 400 && e.param === "model",
  );
  assert.throws(() => index.resolve(openai, 42), (e: GatewayError) => e.status === 400);
});

import assert from "node:assert/strict";
import { TargetIndex } from "../../src/pipeline/target.ts";
import type { GatewayError } from "../../src/core/errors.ts";
import type { InferenceRoute } from "../../src/core/routes.ts";
import { azureUpstream, testConfig } from "../_helpers/config.ts";

const config = testConfig([
  azureUpstream("https://a.example"),
  azureUpstream("https://b.example", {
    name: "second",
    deployments: [{ name: "gpt-4.1", model: "gpt-4.1", aliases: ["gpt-4o-mini"] }],
    routing: { retries: 0, breaker: { failures: 1 } },
  }),
]);
config.models = [{
  name: "smart",
  strategy: "weighted",
  aliases: ["clever"],
  targets: [
    { upstream: "azure-test", deployment: "gpt-4o-prod", weight: 3, priority: 0 },
    { upstream: "second", deployment: "gpt-4.1", weight: 1, priority: 1 },
    { upstream: "second", deployment: "unlisted", weight: 1, priority: 1 },
  ],
}];
const index = new TargetIndex(config);
const openai: InferenceRoute = { kind: "inference", dialect: "openai", style: "openai", operation: "chat" };
const only = (name: string) => index.resolve(openai, name).targets.map((t) => t.deployment.name);

Deno.test("TargetIndex resolves deployment, model and alias names to single targets", () => {
  assert.deepEqual(only("gpt-4o-prod"), ["gpt-4o-prod"]);
  assert.deepEqual(only("gpt-4o"), ["gpt-4o-prod"]);
  assert.deepEqual(only("gpt-4o-latest"), ["gpt-4o-prod"]);
  assert.equal(index.resolve(openai, "gpt-4.1").targets[0]!.upstream.name, "second");
  const dep: InferenceRoute = { ...openai, dialect: "azure", style: "deployment", deployment: "gpt-4.1" };
  assert.equal(index.resolve(dep, "ignored").targets[0]!.upstream.name, "second");
});

Deno.test("TargetIndex resolves models entries and their aliases, on every route style", () => {
  const smart = index.resolve(openai, "clever");
  assert.equal(smart.name, "smart");
  assert.equal(smart.strategy, "weighted");
  assert.deepEqual(smart.targets.map((t) => [t.upstream.name, t.deployment.name, t.weight, t.priority]), [
    ["azure-test", "gpt-4o-prod", 3, 0],
    ["second", "gpt-4.1", 1, 1],
    ["second", "unlisted", 1, 1],
  ]);
  const dep: InferenceRoute = { ...openai, dialect: "azure", style: "deployment", deployment: "smart" };
  assert.equal(index.resolve(dep, undefined).name, "smart");
});

Deno.test("TargetIndex shares health between models and applies upstream overrides", () => {
  const viaModel = index.resolve(openai, "smart").targets[1]!;
  const direct = index.resolve(openai, "gpt-4.1").targets[0]!;
  assert.equal(viaModel.health, direct.health, "one breaker per upstream deployment");
  assert.deepEqual(direct.retry, { retries: 0, backoffMs: 200, maxBackoffMs: 5000 });
  direct.health.failure(0);
  assert.equal(viaModel.health.state(1), "open", "failures: 1 from the upstream's override");
  assert.deepEqual(index.resolve(openai, "gpt-4o").targets[0]!.retry.retries, 2, "global default");
});

Deno.test("TargetIndex lists public names once, models first", () => {
  assert.deepEqual(index.models.map((m) => m.id), [
    "smart",
    "clever",
    "gpt-4o",
    "gpt-4o-latest",
    "text-embedding-3-small",
    "gpt-4.1",
    "gpt-4o-mini",
  ]);
  assert.equal(index.models[0]!.ownedBy, "azure-test");
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

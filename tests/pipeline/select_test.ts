import assert from "node:assert/strict";
import { orderTargets } from "../../src/pipeline/select.ts";
import { TargetIndex } from "../../src/pipeline/target.ts";
import type { InferenceRoute } from "../../src/core/routes.ts";
import { azureUpstream, testConfig } from "../_helpers/config.ts";
import type { RoutingStrategy } from "../../src/config/types.ts";

const route: InferenceRoute = { kind: "inference", dialect: "openai", style: "openai", operation: "chat" };

function model(strategy: RoutingStrategy, targets: [string, number, number][]) {
  const config = testConfig([azureUpstream("https://a.example", { deployments: [] })]);
  config.models = [{
    name: "m",
    strategy,
    aliases: [],
    targets: targets.map(([deployment, weight, priority]) => ({
      upstream: "azure-test",
      deployment,
      weight,
      priority,
    })),
  }];
  return new TargetIndex(config).resolve(route, "m");
}
const names = (ts: { deployment: { name: string } }[]) => ts.map((t) => t.deployment.name);
const all = { serves: () => true };

Deno.test("orderTargets() priority: lower first, config order within a priority", () => {
  const m = model("priority", [["a", 1, 2], ["b", 1, 0], ["c", 1, 1], ["d", 1, 0]]);
  assert.deepEqual(names(orderTargets(m, { ...all, random: Math.random })), ["b", "d", "c", "a"]);
});

Deno.test("orderTargets() weighted: shares follow the weights, zero weight comes last", () => {
  const m = model("weighted", [["a", 3, 0], ["b", 1, 0], ["z", 0, 0]]);
  let seed = 1;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const first = { a: 0, b: 0, z: 0 } as Record<string, number>;
  for (let i = 0; i < 4000; i++) {
    const order = names(orderTargets(m, { ...all, random }));
    first[order[0]!]!++;
    assert.equal(order[2], "z");
  }
  assert.ok(first.a! > 2700 && first.a! < 3300, JSON.stringify(first));
});

Deno.test("orderTargets() least_inflight: fewest calls in flight first", () => {
  const m = model("least_inflight", [["a", 1, 0], ["b", 1, 0], ["c", 1, 0]]);
  m.targets[0]!.health.inFlight = 5;
  m.targets[1]!.health.inFlight = 1;
  m.targets[2]!.health.inFlight = 3;
  assert.deepEqual(names(orderTargets(m, { ...all, random: Math.random })), ["b", "c", "a"]);
});

Deno.test("orderTargets() leaves out targets that cannot serve the operation", () => {
  const m = model("priority", [["a", 1, 0], ["b", 1, 0]]);
  const serves = (t: { deployment: { name: string } }) => t.deployment.name === "b";
  assert.deepEqual(names(orderTargets(m, { serves, random: Math.random })), ["b"]);
  const single = model("priority", [["a", 1, 0]]);
  assert.deepEqual(orderTargets(single, { serves: () => false, random: Math.random }), []);
});

/**
 * Time of one budget admission (the upper bound of a call's cost: prompt walk, prices of the serving
 * targets, the cap check and the reservation) for a small chat body and a 100 KB prompt.
 *
 *   npx -y deno@2.9.6 run --allow-all scripts/bench_cost_admit.ts
 */
import { parseConfigText } from "../src/config/load.ts";
import { createCostControl } from "../src/cost/mod.ts";
import { scriptArgs } from "./_args.ts";

scriptArgs({ options: {} }); // --help, and no unknown options

const config = parseConfigText(
  `upstreams:
  - { name: az, kind: azure, endpoint: "https://r.example", auth: { type: api_key, key: env:U }, deployments: [{ name: gpt-4o, model: gpt-4o }] }
budget: { daily_eur: 1000000000 }
`,
  "bench.yaml",
  { hostname: () => "bench" },
);
const cost = createCostControl(config, { tokenizer: false });
const caller = { keyId: "dev", project: null, tokenId: null };
const targetsOf = () => [{ deployment: "gpt-4o", model: "gpt-4o" }];
const bodies = {
  "small chat body": {
    model: "gpt-4o",
    messages: [
      { role: "system", content: "You are helpful." },
      { role: "user", content: "Hello there, how are you today?" },
    ],
  },
  "100 KB prompt": {
    model: "gpt-4o",
    messages: [{ role: "user", content: "lorem ipsum dolor sit amet ".repeat(4000) }],
  },
};
const record = { usage: null, attempts: 0 } as unknown as Parameters<
  ReturnType<typeof cost.admit>["settle"]
>[0];
for (const [name, body] of Object.entries(bodies)) {
  const n = 50_000;
  for (let i = 0; i < 1000; i++) cost.admit(caller, { model: "gpt-4o", body, operation: "chat", targetsOf });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    cost.admit(caller, { model: "gpt-4o", body, operation: "chat", targetsOf }).settle({ ...record });
  }
  console.log(`${name}: ${((performance.now() - t0) / n * 1000).toFixed(1)} µs per admission and settle`);
}

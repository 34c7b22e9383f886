/**
 * Large request bodies through a real gateway and a real mock upstream: they reach the upstream as the
 * client's own bytes with their exact content-length, also when the budget adds its output maximum.
 */
import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/schema.ts";
import { costStage, createCostControl } from "../../src/cost/mod.ts";
import { startGateway } from "../_helpers/gateway.ts";
import { CALLER_KEY } from "../_helpers/app.ts";

/** A 600 kB chat body in the client's own formatting (spaces, a trailing newline), without `max_tokens`. */
const TEXT = `{ "model": "gpt-4o", "messages": [ { "role": "user", "content": "${
  "lorem ".repeat(100_000)
}" } ] }\n`;
const BYTES = new TextEncoder().encode(TEXT);

const post = (url: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${CALLER_KEY}`, "content-type": "application/json" },
    body: BYTES,
  });

Deno.test("a large body reaches the upstream byte for byte, with its content-length", async () => {
  const gw = await startGateway();
  try {
    const res = await post(gw.url);
    assert.equal(res.status, 200, await res.text());
    const got = gw.mock.requests.at(-1)!;
    assert.equal(got.headers["content-length"], String(BYTES.byteLength));
    assert.equal(got.headers["transfer-encoding"], undefined);
    assert.equal(got.body, TEXT);
    await gw.recordsReached(1);
    assert.deepEqual(gw.records[0]!.requestBody, BYTES);
  } finally {
    await gw.close();
  }
});

Deno.test("a large body the budget bounds reaches the upstream as the client's bytes and the field it set", async () => {
  const costed = validateConfig(
    {
      upstreams: [{ name: "u", kind: "openai", deployments: ["m"] }],
      pricing: { models: { "gpt-4o": { input: 2.5, output: 10 } } },
      budget: { daily_eur: 1000 },
    },
    "test.yaml",
    { hostname: () => "test" },
  );
  const gw = await startGateway({
    configure: (config) => {
      config.pricing = costed.pricing!;
      config.budget = costed.budget!;
    },
    admission: (config) => [costStage(createCostControl(config))],
  });
  try {
    const res = await post(gw.url);
    assert.equal(res.status, 200, await res.text());
    const got = gw.mock.requests.at(-1)!;
    const set = /,("max_[a-z_]+":\d+)\}$/.exec(got.body);
    assert.ok(set, `a field appended to the client's text: …${got.body.slice(-60)}`);
    assert.equal(got.body, `${TEXT.slice(0, TEXT.lastIndexOf("}"))},${set[1]}}`);
    assert.equal(got.headers["content-length"], String(new TextEncoder().encode(got.body).byteLength));
    await gw.recordsReached(1);
    assert.deepEqual(gw.records[0]!.requestBody, BYTES, "the record keeps what the client sent");
  } finally {
    await gw.close();
  }
});

/** A streamed call leaves a started entry when its upstream accepts it, before its record. */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { parseConfigText } from "../../src/config/load.ts";
import { costStage, createCostControl } from "../../src/cost/mod.ts";
import { serveMock } from "../../src/mock/mod.ts";
import { createAppLog } from "../../src/observability/app_log.ts";
import type { CallRecord, CallSink, CallStart } from "../../src/core/record.ts";
import { startGateway } from "../../src/server/gateway.ts";
import { configKeys } from "../_helpers/callers.ts";

Deno.test("a stream's sink hears of it when the upstream accepts it, with its reservation, then gets its record", async () => {
  const mock = serveMock({ apiKey: "up" });
  const config = parseConfigText(
    `auth: { keys: [{ id: dev, key: env:C, project: demo }] }
upstreams:
  - { name: mock, kind: azure, endpoint: ${mock.url}, auth: { type: api_key, key: env:U }, deployments: [{ name: gpt-4o-prod, model: gpt-4o }] }
pricing: { models: { gpt-4o: { input: 1000, output: 2000 } } }
budget: { daily_eur: 100 }
logs: { bodies: false }
`,
    "started.yaml",
    { hostname: () => "h" },
  );
  const env = (n: string) => ({ C: "caller", U: "up" } as Record<string, string>)[n];
  const cost = createCostControl(config, { env });
  const events: [string, string, number | null, string | null][] = [];
  const sink: CallSink = Object.assign((r: CallRecord) => void events.push(["record", r.id, null, null]), {
    started: (r: CallStart, reserved: number | null) => {
      events.push(["started", r.id, reserved, r.upstream]);
      // While the stream runs, its reservation is held.
      assert.ok(cost.ledger.snapshot()["global"]!.reserved > 0);
    },
  });
  config.server.port = 0; // any free port: parallel runs must not collide
  const gw = await startGateway(config, {
    env,
    log: createAppLog(() => {}),
    callers: configKeys([costStage(cost)]),
    sinks: [sink],
  });
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "caller", maxRetries: 0 });
  const messages = [{ role: "user" as const, content: "Stream, please" }];
  try {
    // Paced, so the stream is still open when its started entry is queued (the turn after the response
    // went out): a stream that ends before then leaves only its record (tests/pipeline/record_test.ts).
    const stream = await client.chat.completions.create({ model: "gpt-4o", messages, stream: true }, {
      headers: { "x-mock-chunks": "3", "x-mock-chunk-delay-ms": "20" },
    });
    for await (const _ of stream) { /* read it all */ }
    await client.chat.completions.create({ model: "gpt-4o", messages });
    assert.equal(events.length, 3);
    const [started, closed, plain] = events;
    assert.equal(started![0], "started");
    assert.equal(started![3], "mock");
    assert.ok(started![2]! > 0, "the reservation in EUR");
    assert.deepEqual(closed, ["record", started![1], null, null], "the record closes it");
    assert.equal(plain![0], "record", "a call that is not streamed has no started entry");
  } finally {
    await gw.shutdown(2000);
    await mock.shutdown();
  }
});

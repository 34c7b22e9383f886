/** A real gateway whose event sink is dead: calls complete as usual and no call record is lost. */
import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/schema.ts";
import { EventBus } from "../../src/events/bus.ts";
import { serveMock } from "../../src/mock/mod.ts";
import { createAppLog } from "../../src/observability/app_log.ts";
import type { CallRecord } from "../../src/core/record.ts";
import { startGateway } from "../../src/server/gateway.ts";
import { CALLER_KEY, CALLER_SHA, UPSTREAM_KEY } from "../_helpers/app.ts";
import { azureUpstream, testConfig } from "../_helpers/config.ts";
import { jsonl } from "./_helpers.ts";
import { configKeys } from "../_helpers/callers.ts";

/** A webhook receiver that accepts connections and never answers. */
function deadReceiver() {
  const release = Promise.withResolvers<Response>();
  let hits = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    hits++;
    return release.promise;
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    hits: () => hits,
    async close() {
      release.resolve(new Response("late"));
      await server.shutdown();
    },
  };
}

Deno.test("a gateway under load with a dead sink completes every call and dead-letters every event", async () => {
  const mock = serveMock({ apiKey: UPSTREAM_KEY });
  const dead = deadReceiver();
  const dir = await Deno.makeTempDir();
  const config = testConfig([azureUpstream(mock.url)]);
  config.auth.keys = [{ id: "dev", sha256: CALLER_SHA }];
  config.events = validateConfig({
    upstreams: [{ name: "u", kind: "openai", deployments: ["m"] }],
    events: {
      dead_letter_dir: dir,
      sinks: [{
        type: "webhook",
        url: `${dead.url}/hook`,
        queue_size: 50,
        batch_size: 10,
        flush_interval_ms: 5,
        timeout_ms: 60_000,
      }],
    },
  }, "t").events!;
  const bus = await EventBus.open(config);
  const records: CallRecord[] = [];
  const gw = await startGateway(config, {
    log: createAppLog(() => {}),
    env: (n) => n === "TEST_UPSTREAM_KEY" ? UPSTREAM_KEY : undefined,
    callers: configKeys(),
    sinks: [(r) => void records.push(r), bus.callSink],
  });
  const total = 200;
  try {
    assert.deepEqual(gw.breakers()[0], {
      upstream: "azure-test",
      deployment: "gpt-4o-prod",
      state: "closed",
    });
    let next = 0;
    const statuses: number[] = [];
    await Promise.all(Array.from({ length: 20 }, async () => {
      while (next < total) {
        next++;
        const res = await fetch(`${gw.url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${CALLER_KEY}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
        });
        await res.text();
        statuses.push(res.status);
      }
    }));
    assert.equal(statuses.filter((s) => s === 200).length, total);
    assert.equal(records.length, total);
    assert.ok(dead.hits() >= 1, "the sink was tried");
    const m = bus.metrics;
    assert.equal(m.delivered.get({ sink: "webhook" }), 0);
    assert.ok(m.deadLettered.get({ sink: "webhook", reason: "queue_full" }) > 0);
  } finally {
    await gw.shutdown(5_000);
    await bus.close(50);
    await dead.close();
    await mock.shutdown();
  }
  const lines = await jsonl<{ event: { id: string; type: string } }>(
    `${dir}/webhook-${new Date().toISOString().slice(0, 10).replaceAll("-", "")}.jsonl`,
  );
  assert.deepEqual(lines.map((l) => l.event.id).sort(), records.map((r) => r.id).sort());
});

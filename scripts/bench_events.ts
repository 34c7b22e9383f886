/**
 * The request-path cost of the event bus: the same gateway (mock upstream, in this process) measured in
 * one run without events, with a busy webhook sink (every call emits `azmw.call.completed`; the receiver
 * takes 50 ms per batch, so delivery never idles) and with a dead sink (the receiver never answers: the
 * queue fills and every further event goes to the dead-letter file). Lanes alternate in rounds so drift
 * hits them alike.
 *
 *   deno run -A scripts/bench_events.ts [--requests 2000] [--rounds 3] [--concurrency 20]
 *
 * Prints a Markdown table: c=1 p50/p99 latency and c=N throughput per lane.
 *
 * @module
 */
import { scriptArgs } from "./_args.ts";
import { validateConfig } from "../src/config/schema.ts";
import type { Config } from "../src/config/types.ts";
import { EventBus } from "../src/events/bus.ts";
import { serveMock } from "../src/mock/mod.ts";
import { createAppLog } from "../src/observability/app_log.ts";
import { sha256Hex } from "../src/core/sha256.ts";
import { startGateway } from "../src/server/gateway.ts";
import { configKeys } from "../tests/_helpers/callers.ts";

const { values } = scriptArgs({
  options: { requests: { type: "string" }, rounds: { type: "string" }, concurrency: { type: "string" } },
});
const REQUESTS = Number(values.requests ?? 2000);
const ROUNDS = Number(values.rounds ?? 3);
const CONCURRENCY = Number(values.concurrency ?? 20);
const CALLER = "azmw_bench_caller_key_0123456789";
const UPSTREAM = "bench-upstream-key";

const mock = serveMock({ apiKey: UPSTREAM });
const busy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
  await req.arrayBuffer();
  await new Promise((r) => setTimeout(r, 50));
  return new Response("ok");
});
const hang = Promise.withResolvers<void>();
const dead = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen: () => {} },
  () => hang.promise.then(() => new Response("late")),
);
const tmp = await Deno.makeTempDir({ prefix: "azmw-bench-events-" });

function config(sinkUrl: string | null): Config {
  const c = validateConfig({
    server: { instance: "bench" },
    auth: { keys: [{ id: "bench", sha256: sha256Hex(CALLER) }] },
    upstreams: [{
      name: "mock",
      kind: "openai",
      base_url: `${mock.url}/v1`,
      auth: { type: "bearer", key: "env:BENCH_UPSTREAM" },
      deployments: ["gpt-4o-mini"],
    }],
    logs: { bodies: false, dir: `${tmp}/logs` },
    events: {
      dead_letter_dir: `${tmp}/dead-letter`,
      sinks: sinkUrl === null
        ? []
        : [{ type: "webhook", url: sinkUrl, queue_size: 1_000, timeout_ms: 600_000 }],
    },
  }, "bench");
  c.server.port = 0;
  return c;
}

async function lane(name: string, sinkUrl: string | null) {
  const c = config(sinkUrl);
  const bus = await EventBus.open(c);
  const gw = await startGateway(c, {
    log: createAppLog(() => {}),
    env: (n) => n === "BENCH_UPSTREAM" ? UPSTREAM : undefined,
    callers: configKeys(),
    sinks: [bus.callSink],
  });
  const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
  const call = async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${CALLER}`, "content-type": "application/json" },
      body,
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`status ${res.status}`);
  };
  for (let i = 0; i < 200; i++) await call();
  const ms: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    await call();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  let left = REQUESTS;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (left-- > 0) await call();
  }));
  const rps = REQUESTS / ((performance.now() - t0) / 1000);
  const m = bus.metrics;
  const sink = { sink: "webhook" };
  const stats = {
    emitted: m.emitted.get({ type: "azmw.call.completed" }),
    delivered: m.delivered.get(sink),
    deadLettered: m.deadLettered.get({ ...sink, reason: "queue_full" }),
  };
  await gw.shutdown(1_000);
  await bus.close(100);
  return { name, p50: ms[Math.floor(REQUESTS * 0.5)]!, p99: ms[Math.floor(REQUESTS * 0.99)]!, rps, ...stats };
}

const lanes: [string, string | null][] = [
  ["no events", null],
  ["busy webhook sink", `http://127.0.0.1:${busy.addr.port}/hook`],
  ["dead webhook sink", `http://127.0.0.1:${dead.addr.port}/hook`],
];
const results = new Map<string, Awaited<ReturnType<typeof lane>>[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, url] of lanes) {
    const r = await lane(name, url);
    results.set(name, [...(results.get(name) ?? []), r]);
    console.error(
      `round ${round + 1} ${name}: p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms, ${
        r.rps.toFixed(0)
      } req/s`,
    );
  }
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `| lane | c=1 p50 (ms) | c=1 p99 (ms) | c=${CONCURRENCY} req/s | events delivered / dead-lettered (last round) |`,
);
console.log("|---|---|---|---|---|");
for (const [name] of lanes) {
  const rs = results.get(name)!;
  const last = rs.at(-1)!;
  console.log(
    `| ${name} | ${median(rs.map((r) => r.p50)).toFixed(3)} | ${median(rs.map((r) => r.p99)).toFixed(3)} | ` +
      `${median(rs.map((r) => r.rps)).toFixed(0)} | ${
        name === "no events" ? "–" : `${last.delivered} / ${last.deadLettered}`
      } |`,
  );
}

// The synchronous part the request path pays per call: building the event and queueing it (or, on a
// full queue, serialising it for the dead-letter file).
const { callRecord } = await import("../tests/cost/_util.ts");
async function perCall(name: string, url: string, queueSize: number) {
  const c = config(url);
  c.events!.sinks[0]!.queueSize = queueSize;
  const bus = await EventBus.open(c);
  const record = callRecord();
  const n = 100_000;
  for (let i = 0; i < 10_000; i++) bus.callSink(record);
  const t = performance.now();
  for (let i = 0; i < n; i++) bus.callSink(record);
  const us = ((performance.now() - t) * 1000) / n;
  await bus.close(100);
  return `| ${name} | ${us.toFixed(2)} |`;
}
console.log("\n| bus.callSink() per call | µs |\n|---|---|");
console.log(
  await perCall(
    "queued (dead sink, room in the queue)",
    `http://127.0.0.1:${dead.addr.port}/hook`,
    1_000_000,
  ),
);
console.log(
  await perCall("dead-lettered (dead sink, queue full)", `http://127.0.0.1:${dead.addr.port}/hook`, 1),
);
hang.resolve();
await busy.shutdown();
await dead.shutdown();
await mock.shutdown();
await Deno.remove(tmp, { recursive: true });

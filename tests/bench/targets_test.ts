import assert from "node:assert/strict";
import { frontierOf, nextRate } from "../../src/bench/overhead/lanes/frontier.ts";
import { growthPer100k } from "../../src/bench/overhead/lanes/soak.ts";
import { streamRate } from "../../src/bench/overhead/lanes/stream.ts";
import {
  cpuModelOf,
  memTotalOf,
  otherCpuPercent,
  parsePidTicks,
  parseProcStat,
} from "../../src/bench/overhead/machine.ts";
import { overheadPlan } from "../../src/bench/overhead/plan.ts";
import { parseVmRss } from "../../src/bench/overhead/rss.ts";
import { renderGatewayConfig } from "../../src/bench/overhead/gateway_config.ts";
import { bodyFor } from "../../src/bench/overhead/runner.ts";
import { added, cpuPerRequest, keptPercent } from "../../src/bench/overhead/sides.ts";
import {
  checkTargets,
  compare,
  figureOf,
  limitText,
  meets,
  OVERHEAD_TARGETS,
  overheadExitCode,
} from "../../src/bench/overhead/targets.ts";
import { parseConfigText } from "../../src/config/load.ts";
import { DEFAULT_GATEWAY_CONFIG, gatewayConfigTemplate } from "../../src/bench/overhead/gateway_config.ts";
import { fakeReport, result } from "./_fixtures.ts";

Deno.test("checkTargets() compares the gateway with the relay of the same run", () => {
  const report = fakeReport();
  const t = checkTargets(report.lanes, report.relay);
  assert.deepEqual(t.map((c) => [c.id, c.pass]), [
    ["throughput_c50", true],
    ["cpu_c1", true],
    ["cpu_c50", false],
    ["latency_p50", true],
    ["latency_p99", false],
    ["stream_ttfb", true],
    ["stream_chunk", true],
    ["rss_load", true],
    ["memory_streams", false],
    ["rss_idle", true],
  ]);
  const byId = new Map(t.map((c) => [c.id, c]));
  assert.equal(byId.get("throughput_c50")!.measured, 0.8);
  assert.equal(byId.get("cpu_c50")!.measured, 2.5);
  assert.equal(byId.get("cpu_c50")!.gateway, 200);
  assert.equal(byId.get("cpu_c50")!.relay, 80);
  assert.ok(Math.abs(byId.get("latency_p99")!.measured! - 0.6) < 1e-9);
  assert.equal(byId.get("rss_load")!.measured, 1.25);
  assert.equal(byId.get("memory_streams")!.measured, 200);
  assert.equal(byId.get("memory_streams")!.relay, null);
  assert.deepEqual(checkTargets({}), []);
});

Deno.test("checkTargets() fails a relative target whose relay figure is missing", () => {
  const lanes = fakeReport().lanes;
  const t = checkTargets({ latency: lanes.latency! });
  assert.deepEqual(t.map((c) => c.id), ["cpu_c1", "latency_p50", "latency_p99"]);
  for (const c of t) {
    assert.equal(c.pass, false);
    assert.equal(c.note, "the relay's figure is missing");
  }
  const noCost = checkTargets({
    latency: { ...lanes.latency!, cost: { cpuUsPerRequest: null, rssPeak: null } },
  }, {
    latency: lanes.latency!,
  });
  assert.equal(noCost[0]!.note, "not measured (no /proc?)");
  const partial = checkTargets({ memory: { ...lanes.memory!, opened: 900, rssOpen: 100 * 2 ** 20 } });
  assert.equal(partial[0]!.pass, false);
  assert.match(partial[0]!.note!, /only 900 of 1000 streams/);
});

Deno.test("compare(), meets() and limitText() follow the table", () => {
  assert.equal(compare("ratio", 3, 2), 1.5);
  assert.equal(compare("ratio", 3, 0), null);
  assert.equal(compare("difference", 3, 2), 1);
  assert.equal(compare("absolute", 3, null), 3);
  assert.equal(compare("difference", null, 2), null);
  assert.equal(compare("ratio", 1, null), null);
  assert.equal(meets({ comparison: "<=", limit: 1.5 }, 1.5), true);
  assert.equal(meets({ comparison: "<=", limit: 1.5 }, 1.51), false);
  assert.equal(meets({ comparison: ">=", limit: 0.8 }, 0.8), true);
  assert.equal(meets({ comparison: ">=", limit: 0.8 }, null), false);
  const texts = OVERHEAD_TARGETS.map((t) => limitText(t));
  assert.deepEqual(texts, [
    "≥ 0.8× relay",
    "≤ 1.5× relay",
    "≤ 1.5× relay",
    "≤ relay + 0.1 ms",
    "≤ relay + 0.5 ms",
    "≤ relay + 0.2 ms",
    "≤ relay + 0.1 ms",
    "≤ 1.3× relay",
    "≤ 180 MiB",
    "≤ 80 MiB",
  ]);
  assert.throws(() => figureOf("speed", {}), /Unknown overhead target "speed"/);
});

Deno.test("overheadExitCode() is 1 when a target fails, unless told not to", () => {
  const t = fakeReport().targets;
  assert.equal(overheadExitCode(t), 1);
  assert.equal(overheadExitCode(t, true), 0);
  assert.equal(overheadExitCode(t.filter((c) => c.pass)), 0);
  assert.equal(overheadExitCode([]), 0);
});

Deno.test("cpuPerRequest() turns clock ticks into µs per request", () => {
  assert.equal(cpuPerRequest(50, 2000), 250);
  assert.equal(cpuPerRequest(50, 2000, 1000), 25);
  assert.equal(cpuPerRequest(null, 2000), null);
  assert.equal(cpuPerRequest(10, 0), null);
});

Deno.test("added() and keptPercent() compare the sides", () => {
  const c = { direct: result(300, { throughputRps: 2000 }), gateway: result(550, { throughputRps: 1500 }) };
  assert.equal(added(c, (r) => r.latency.p50Us), 0.25);
  assert.equal(keptPercent(c), 75);
  assert.equal(keptPercent({ direct: result(1, { throughputRps: 0 }), gateway: result(1) }), 0);
});

Deno.test("frontierOf() takes the highest rung climbing from the bottom", () => {
  const side = { achievedRps: 1, p50Us: 1, p99Us: 1, errors: 0 };
  const step = (targetRps: number, addedP99Ms: number, keptUp = true) => ({
    targetRps,
    addedP99Ms,
    keptUp,
    direct: side,
    gateway: side,
  });
  const steps = [step(250, 0.4), step(500, 0.9), step(1000, 3), step(2000, 0.5), step(4000, 30, false)];
  assert.deepEqual(frontierOf(steps, [1, 5, 10]), [{ limitMs: 1, rps: 500 }, { limitMs: 5, rps: 2000 }, {
    limitMs: 10,
    rps: 2000,
  }]);
  assert.deepEqual(frontierOf([step(250, 2)], [1]), [{ limitMs: 1, rps: null }]);
  assert.deepEqual(frontierOf([step(250, 0.1, false)], [1]), [{ limitMs: 1, rps: null }]);
  assert.equal(nextRate(250, 1.4), 350);
  assert.equal(nextRate(10, 1.01), 20);
});

Deno.test("lane helpers: RSS growth, stream rate, plans", () => {
  assert.equal(growthPer100k(100, 300, 50_000), 400);
  assert.equal(growthPer100k(null, 300, 50_000), null);
  assert.equal(growthPer100k(100, 300, 0), null);
  assert.equal(
    streamRate({ streams: 50, concurrency: 10, chunks: 64, chunkDelayMs: 20, stallMs: 5 }),
    10_000 / 1280,
  );
  const quick = overheadPlan(true);
  const full = overheadPlan(false, 5);
  assert.equal(quick.rounds, 2);
  assert.equal(full.rounds, 5);
  assert.equal(full.soak.requests, 100_000);
  assert.equal(full.memory.streams, 1000);
  assert.equal(full.stream.chunks, 64);
  assert.equal(full.stream.chunkDelayMs, 20);
  assert.deepEqual(full.throughput.concurrencies, [10, 50]);
  assert.ok(quick.latency.requests < full.latency.requests);
});

Deno.test("parsers of /proc files", () => {
  assert.equal(
    parseVmRss("Name:\tdeno\nVmHWM:\t  70000 kB\nVmRSS:\t   61864 kB\nRssAnon:\t 1 kB\n"),
    61864 * 1024,
  );
  assert.equal(parseVmRss("Name:\tkthreadd\n"), null);
  assert.equal(cpuModelOf("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: x\n"), "AMD EPYC 7B13");
  assert.equal(cpuModelOf(""), null);
  assert.equal(memTotalOf("MemTotal:       24684124 kB\nMemFree: 1 kB\n"), 24684124 * 1024);
});

Deno.test("renderGatewayConfig() fills placeholders and the default config is valid", () => {
  const text = renderGatewayConfig(DEFAULT_GATEWAY_CONFIG, {
    MOCK_URL: "http://127.0.0.1:4000",
    DATA_DIR: "/tmp/x/data",
  });
  assert.doesNotMatch(text, /\{\{/);
  const config = parseConfigText(text, "bench", { hostname: () => "host" });
  assert.equal(config.upstreams[0]!.endpoint, "http://127.0.0.1:4000");
  assert.equal(config.server.dataDir, "/tmp/x/data");
  assert.equal(config.auth.keys[0]!.key, "env:AZMW_BENCH_KEY");
  assert.equal(config.logs.bodies, true);
  assert.equal(config.logs.dir, "/tmp/x/data/logs");
  const off = parseConfigText(
    renderGatewayConfig(gatewayConfigTemplate({ logBodies: false }), {
      MOCK_URL: "http://127.0.0.1:1",
      DATA_DIR: "/d",
    }),
    "bench",
    { hostname: () => "host" },
  );
  assert.equal(off.logs.bodies, false);
  assert.deepEqual(off.logs.keys, []);
  assert.equal(renderGatewayConfig("a: {{ MOCK_URL }}", { MOCK_URL: "u", DATA_DIR: "d" }), "a: u");
  assert.throws(
    () => renderGatewayConfig("{{PORT}}", { MOCK_URL: "u", DATA_DIR: "d" }),
    /Unknown placeholder "\{\{PORT\}\}"/,
  );
});

Deno.test("bodyFor() asks for usage in default streams only", () => {
  const shape = { dialect: "azure" as const, model: "m", headers: {} };
  assert.equal(bodyFor(shape, false), undefined);
  assert.deepEqual(JSON.parse(bodyFor(shape, true)!).stream_options, { include_usage: true });
  assert.equal(bodyFor({ ...shape, dialect: "anthropic" }, true), undefined);
  assert.equal(bodyFor({ ...shape, body: "{}" }, true), "{}");
});

Deno.test("CPU accounting from /proc: busy, total, per process and the others' share", () => {
  assert.deepEqual(parseProcStat("cpu  100 5 50 800 20 1 2 3 0 0\ncpu0 1 2 3\n"), { busy: 161, total: 981 });
  assert.equal(parseProcStat("intr 1"), null);
  assert.equal(parsePidTicks("4242 (deno my thing) S 1 2 3 4 5 6 7 8 9 10 250 40 0 0"), 290);
  assert.equal(otherCpuPercent({ busy: 0, total: 0, own: 0 }, { busy: 150, total: 200, own: 100 }), 25);
  assert.equal(otherCpuPercent({ busy: 0, total: 0, own: 0 }, { busy: 50, total: 200, own: 100 }), 0);
  assert.equal(otherCpuPercent({ busy: 5, total: 5, own: 0 }, { busy: 5, total: 5, own: 0 }), 0);
});

Deno.test("docs/commands.md states every overhead target as the table does", async () => {
  const commands = await Deno.readTextFile(new URL("../../docs/commands.md", import.meta.url));
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  for (const t of OVERHEAD_TARGETS) assert.ok(commands.includes(limitText(t)), `${t.id}: ${limitText(t)}`);
  assert.doesNotMatch(commands, /DESIGN\.md/);
  assert.doesNotMatch(readme, /DESIGN\.md/);
});

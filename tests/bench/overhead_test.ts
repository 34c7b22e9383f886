/** The overhead runner end to end with real subprocesses (mock and gateway); no timing assertions. */
import assert from "node:assert/strict";
import { runOverhead } from "../../src/bench/overhead/runner.ts";
import { startStack } from "../../src/bench/overhead/stack.ts";
import { spawnServer } from "../../src/bench/overhead/process.ts";
import { readRss } from "../../src/bench/overhead/rss.ts";

const gone = async (pid: number) => (await readRss(pid)) === null;

Deno.test("startStack() runs the mock and a gateway as separate processes and stops both", async () => {
  const stack = await startStack();
  const pids = [stack.mock.pid, stack.gateway.pid];
  try {
    assert.notEqual(stack.mock.pid, stack.gateway.pid);
    assert.notEqual(stack.mock.pid, Deno.pid);
    assert.ok((await readRss(stack.gateway.pid))! > 0);
    const direct = await fetch(`${stack.mock.url}/v1/models`, {
      headers: { authorization: `Bearer ${stack.upstreamKey}` },
    });
    assert.equal(direct.status, 200);
    await direct.body?.cancel();
    const through = await fetch(`${stack.gateway.url}/v1/models`, {
      headers: { authorization: `Bearer ${stack.callerKey}` },
    });
    assert.equal(through.status, 200);
    assert.match(await through.text(), /gpt-4o-mini/);
  } finally {
    await stack.stop();
  }
  for (const pid of pids) assert.ok(await gone(pid), `process ${pid} still running`);
});

Deno.test("spawnServer() reports a process that exits without listening", async () => {
  await assert.rejects(
    () => spawnServer([Deno.execPath(), "eval", "console.error('boom'); Deno.exit(3)"], { name: "probe" }),
    /The probe process did not start .*\n.*boom/,
  );
});

Deno.test("runOverhead() measures the latency lane through the gateway and the relay, and checks its targets", async () => {
  const lines: string[] = [];
  const report = await runOverhead({
    lanes: ["latency"],
    quick: true,
    rounds: 1,
    shape: { dialect: "azure", model: "gpt-4o-mini", headers: {} },
    log: (line) => lines.push(line),
  });
  const lane = report.lanes.latency!;
  assert.equal(lane.direct.completed, 300);
  assert.equal(lane.gateway.completed, 300);
  assert.equal(lane.direct.errors + lane.gateway.errors, 0);
  assert.equal(lane.gateway.overhead.count, 300);
  assert.equal(lane.direct.overhead.count, 0);
  assert.deepEqual(report.targets.map((t) => t.id), ["cpu_c1", "latency_p50", "latency_p99"]);
  assert.equal(report.relay!.latency!.gateway.completed, 300);
  assert.equal(report.relay!.latency!.gateway.overhead.count, 0); // the relay sets no overhead header
  for (const t of report.targets) assert.notEqual(t.relay, null, t.id);
  assert.ok(report.lanes.latency!.cost!.cpuUsPerRequest! > 0);
  assert.equal(report.lanes.throughput, undefined);
  assert.equal(report.subject, "gateway");
  assert.equal(typeof report.otherCpuPct, "number");
  assert.ok(lines.some((l) => l.startsWith("latency: concurrency 1")));
  assert.ok(lines.some((l) => l.startsWith("Starting the mock upstream and the bare relay")));
});

Deno.test("runOverhead() names a gateway that refuses the request shape", async () => {
  await assert.rejects(
    () =>
      runOverhead({
        lanes: ["latency"],
        quick: true,
        shape: { dialect: "azure", model: "gpt-4o-mini", deployment: "no-such-deployment", headers: {} },
        log: () => {},
      }),
    /request through the gateway failed \(status 404\)/,
  );
});

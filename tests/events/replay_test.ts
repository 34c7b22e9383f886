import assert from "node:assert/strict";
import { DeadLetter } from "../../src/events/dead_letter.ts";
import { replayCalls } from "../../src/events/replay.ts";
import { logRecord, writeDay } from "../cost/_util.ts";
import { fakeSink, instantRetry, metrics } from "./_helpers.ts";

const POLICY = { maxAttempts: 2, backoffMs: 1, maxBackoffMs: 1 };

Deno.test("replayCalls() re-emits every logged call of the range with its own id", async () => {
  const dir = await Deno.makeTempDir();
  const first = [logRecord({ id: "a" }), logRecord({ id: "b", instance: "gw2" })];
  await writeDay(dir, "20261201", first, { tail: '{"v":1,"id":"torn' });
  await writeDay(dir, "20261203", [logRecord({ id: "c" })]);
  await writeDay(dir, "20261205", [logRecord({ id: "outside" })]);
  const sink = fakeSink();
  const warnings: string[] = [];
  const stats = await replayCalls(sink, {
    logDir: dir,
    from: "20261201",
    to: "20261204",
    batchSize: 2,
    policy: POLICY,
    deps: instantRetry(),
    deadLetter: new DeadLetter(`${dir}/dl`),
    metrics: metrics(),
    warn: (m) => warnings.push(m),
  });
  assert.deepEqual(stats, { days: 2, read: 3, delivered: 3, deadLettered: 0 });
  assert.deepEqual(sink.batches.map((b) => b.map((e) => e.id)), [["a", "b"], ["c"]]);
  const b = sink.batches[0]![1]!;
  assert.equal(b.type, "azmw.call.completed");
  assert.equal(b.source, "/azmw/gw2");
  assert.equal((b.data as { cost_eur: number }).cost_eur, 0.015);
  assert.equal(warnings.length, 1);
});

Deno.test("replayCalls() dead-letters what the sink never takes", async () => {
  const dir = await Deno.makeTempDir();
  await writeDay(dir, "20261201", [logRecord({ id: "a" })]);
  const dl = new DeadLetter(`${dir}/dl`);
  const m = metrics();
  const stats = await replayCalls(fakeSink({ failures: Infinity }), {
    logDir: dir,
    from: "20261201",
    to: "20261201",
    batchSize: 10,
    policy: POLICY,
    deps: instantRetry(),
    deadLetter: dl,
    metrics: m,
    warn: () => {},
  });
  assert.deepEqual(stats, { days: 1, read: 1, delivered: 0, deadLettered: 1 });
  assert.equal(m.deadLettered.get({ sink: "fake", reason: "failed" }), 1);
  assert.match(Deno.readTextFileSync(dl.pathOf("fake")), /"id":"a"/);
});

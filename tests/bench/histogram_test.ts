import assert from "node:assert/strict";
import {
  addedMs,
  LatencyHistogram,
  loadHistograms,
  msToUs,
  spectrumPercentiles,
} from "../../src/bench/histogram.ts";
import { LoadRecorder } from "../../src/bench/recorder.ts";

Deno.test("LatencyHistogram needs the library loaded first, and says so", async () => {
  // Every other test in this file runs after this one, with the library loaded.
  const first = (() => {
    try {
      new LatencyHistogram();
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  })();
  await loadHistograms();
  if (first !== null) assert.match(first, /await loadHistograms\(\) first/);
  assert.equal(new LatencyHistogram().count, 0);
});

/** Within HdrHistogram's 3 significant digits. */
function near(actual: number, expected: number) {
  assert.ok(
    Math.abs(actual - expected) <= expected * 0.001 + 1,
    `${actual} is not within 0.1% of ${expected}`,
  );
}

Deno.test("LatencyHistogram reports percentiles in µs within 3 significant digits", () => {
  const h = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) h.recordMs(i); // 1 ms … 1000 ms
  const s = h.summary();
  assert.equal(s.count, 1000);
  near(s.minUs, 1000);
  near(s.p50Us, 500_000);
  near(s.p90Us, 900_000);
  near(s.p99Us, 990_000);
  near(s.p999Us, 999_000);
  near(s.maxUs, 1_000_000);
  near(s.meanUs, 500_500);
});

Deno.test("LatencyHistogram keeps microsecond resolution for sub-millisecond values", () => {
  const h = new LatencyHistogram();
  for (const ms of [0.1, 0.2, 0.3, 0.4, 0.5]) h.recordMs(ms);
  assert.equal(h.percentileUs(50), 300);
  assert.equal(h.summary().maxUs, 500);
  h.recordUs(0); // clamps to the lowest trackable value
  assert.equal(h.summary().minUs, 1);
});

Deno.test("LatencyHistogram.add() merges, and an empty histogram summarises to zeros", () => {
  const a = new LatencyHistogram();
  const b = new LatencyHistogram();
  assert.deepEqual(a.summary(), {
    count: 0,
    minUs: 0,
    meanUs: 0,
    p50Us: 0,
    p90Us: 0,
    p99Us: 0,
    p999Us: 0,
    maxUs: 0,
  });
  assert.deepEqual(a.spectrum(), []);
  for (let i = 0; i < 99; i++) a.recordUs(100);
  b.recordUs(10_000);
  a.add(b);
  assert.equal(a.count, 100);
  assert.equal(a.percentileUs(99), 100);
  near(a.percentileUs(100), 10_000);
  near(a.summary().maxUs, 10_000);
});

Deno.test("msToUs() and addedMs() convert units", () => {
  assert.equal(msToUs(1.2345), 1235);
  assert.equal(msToUs(-3), 1);
  assert.equal(addedMs(250, 600), 0.35);
  assert.equal(addedMs(600, 250), -0.35);
});

Deno.test("spectrumPercentiles() spaces points by nines and ends at the maximum", async (t) => {
  await t.step("no values, no points", () => assert.deepEqual(spectrumPercentiles(0), []));
  await t.step("one value: just the maximum", () => assert.deepEqual(spectrumPercentiles(1), [100]));
  await t.step("1000 values reach 99.9% at most", () => {
    const p = spectrumPercentiles(1000, 1);
    assert.deepEqual(p.map((x) => +x.toFixed(6)), [0, 90, 99, 100]);
  });
  await t.step("steps per nine", () => {
    const p = spectrumPercentiles(100, 2);
    assert.equal(p.length, 5); // 0, 68.4, 90, 96.8, 100
    assert.ok(Math.abs(p[2]! - 90) < 1e-9);
  });
  await t.step("spectrum() values rise with the percentile", () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 500; i++) h.recordUs(i * 10);
    const s = h.spectrum();
    assert.equal(s.at(-1)!.percentile, 100);
    for (let i = 1; i < s.length; i++) assert.ok(s[i]!.us >= s[i - 1]!.us);
  });
});

Deno.test("LoadRecorder counts statuses, chunks and stalls and sums rounds", () => {
  const rec = new LoadRecorder({ stallMs: 25 });
  rec.count(200, true);
  rec.count(200, true);
  rec.count(401, false);
  rec.count("network", false);
  rec.firstChunk();
  rec.gap(20);
  rec.gap(30);
  rec.latency.recordMs(2);
  rec.addElapsed(500);
  rec.addElapsed(500);
  const r = rec.result();
  assert.deepEqual(r.statuses, { "200": 2, "401": 1, network: 1 });
  assert.equal(r.completed, 4);
  assert.equal(r.ok, 2);
  assert.equal(r.errors, 2);
  assert.equal(r.chunks, 3);
  assert.equal(r.stalls, 1);
  assert.equal(r.elapsedMs, 1000);
  assert.equal(r.throughputRps, 2);
});

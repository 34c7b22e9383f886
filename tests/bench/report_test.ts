import assert from "node:assert/strict";
import { loadReportHtml, loadReportJson, loadReportText } from "../../src/bench/report.ts";
import { LoadRecorder } from "../../src/bench/recorder.ts";
import { loadHistograms } from "../../src/bench/histogram.ts";

await loadHistograms();
import {
  overheadHtml,
  overheadJson,
  overheadMarkdown,
  overheadText,
  targetsMarkdown,
} from "../../src/bench/overhead/render.ts";
import { decades, ninesOf, spectrumChart } from "../../src/bench/svg.ts";
import { progressLine } from "../../src/bench/progress.ts";
import { fakeReport } from "./_fixtures.ts";

function recorder() {
  const rec = new LoadRecorder();
  for (let i = 1; i <= 90; i++) {
    rec.latency.recordMs(i / 10);
    rec.ttfb.recordMs(i / 20);
    rec.overhead.recordMs(0.1);
    rec.count(200, true);
  }
  for (let i = 0; i < 7; i++) rec.count(429, false);
  for (let i = 0; i < 3; i++) rec.count("network", false);
  rec.addElapsed(2000);
  return rec;
}

const INFO = {
  url: "http://gw/v1/chat/completions",
  dialect: "openai",
  stream: false,
  concurrency: 10,
  requests: 100,
  warmup: 5,
};

/** No scripts and no external assets: nothing is fetched when the page opens. */
function assertSelfContained(html: string) {
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<svg [^>]*viewBox=/);
  assert.doesNotMatch(html, /<script|<link|<img|\ssrc=|\shref=|url\(/i);
}

Deno.test("loadReportText() shows throughput, percentiles and errors by status", () => {
  const text = loadReportText(INFO, recorder().result());
  assert.match(text, /Requests {5}100 in 2\.00 s: 90 ok, 10 errors/);
  assert.match(text, /Throughput {3}45\.0 req\/s/);
  assert.match(text, /Latency {6}p50 4\.\d{3} ms {2}p90 \d\.\d{3} ms {2}p99 /);
  assert.match(text, /Overhead {5}p50 0\.100 ms/);
  assert.match(text, /Errors by status:\n {2}429 {6}7\n {2}network {2}3/);
  assert.doesNotMatch(text, /Chunk gap/);
});

Deno.test("loadReportJson() is machine-readable with µs figures", () => {
  const json = loadReportJson(INFO, recorder().result());
  const back = JSON.parse(JSON.stringify(json));
  assert.equal(back.completed, 100);
  assert.equal(back.ok, 90);
  assert.deepEqual(back.errors_by_status, { "429": 7, network: 3 });
  assert.deepEqual(back.statuses, { "200": 90, "429": 7, network: 3 });
  assert.equal(back.throughput_rps, 45);
  assert.deepEqual(Object.keys(back.latency_us), [
    "count",
    "min",
    "mean",
    "p50",
    "p90",
    "p99",
    "p99_9",
    "max",
  ]);
  assert.equal(back.latency_us.max, 9000);
  assert.equal(back.requests, 100);
});

Deno.test("loadReportHtml() is one self-contained page with the distribution plotted", () => {
  const html = loadReportHtml(INFO, recorder());
  assertSelfContained(html);
  assert.match(html, /<polyline /);
  assert.match(html, /Status 429<\/td><td>7/);
  assert.ok(html.includes("http://gw/v1/chat/completions"));
});

Deno.test("spectrumChart() escapes names and handles an empty series", () => {
  const svg = spectrumChart("<b>t</b>", [{ name: "a&b", points: [] }]);
  assert.ok(svg.includes("&#60;b&#62;t&#60;/b&#62;"));
  assert.ok(svg.includes("a&#38;b"));
  assert.doesNotMatch(svg, /<polyline/);
  assert.doesNotMatch(svg, /NaN|Infinity/);
});

Deno.test("chart axes: nines for percentiles, decades for latency", () => {
  assert.equal(ninesOf(0), 0);
  assert.ok(Math.abs(ninesOf(99) - 2) < 1e-9);
  assert.equal(ninesOf(100), Infinity);
  assert.deepEqual(decades(0.25, 40), { lo: -1, hi: 2 });
  assert.deepEqual(decades(1, 1), { lo: 0, hi: 1 });
  assert.deepEqual(decades(Infinity, -Infinity), { lo: -1, hi: 0 });
});

Deno.test("overheadText() lists every lane and PASS/FAIL per target", () => {
  const text = overheadText(fakeReport());
  assert.match(text, /2 × Test CPU, 8\.0 GiB RAM/);
  assert.match(text, /Other load on the machine while lanes ran: 2\.5% of its CPU time/);
  assert.match(text, /Latency, c=1 +p50 +0\.300 ms +0\.500 ms +\+0\.200 ms\n/);
  assert.match(text, /Latency, c=1 +p99 .* +\+1\.600 ms\n/);
  assert.match(text, /Latency, c=1 +CPU per request \(all threads\) \/ peak RSS +– +140 µs \/ 150\.0 MiB/);
  assert.match(text, /Throughput, c=50 +requests\/s +10000\.0 req\/s +4000\.0 req\/s +40\.0% kept\n/);
  assert.match(text, /Latency, c=1 +p50 +0\.300 ms +0\.500 ms +\+0\.150 ms\n/); // the relay's table
  assert.match(text, /Through bare relay/);
  assert.match(text, /highest rate with added p99 < 10 ms +– +below 250 req\/s/);
  assert.match(text, /stalls \(gap > 25 ms\) +0 of 6400 +3 of 6400/);
  assert.match(
    text,
    /RSS before \/ peak \/ after .* 60\.0 MiB \/ 90\.0 MiB \/ 70\.0 MiB +\+10\.0 MiB per 100k/,
  );
  assert.match(text, /Targets \(against a bare relay, same run\): 7 of 10 PASS/);
  assert.match(text, /CPU per request at c=50 .* +200 µs +80 µs +2\.50× +≤ 1\.5× relay +FAIL/);
  assert.match(
    text,
    /c=1 added p99, minus the relay's +\+1\.600 ms +\+1\.000 ms +\+0\.600 ms +≤ relay \+ 0\.5 ms +FAIL/,
  );
  assert.match(text, /RSS with 1,000 open streams +200\.0 MiB +– +200\.0 MiB +≤ 180 MiB +FAIL/);
  assert.match(
    text,
    /Throughput at c=50 .* +40\.0% of direct +50\.0% of direct +0\.80× +≥ 0\.8× relay +PASS/,
  );
  assert.doesNotMatch(text, /PENDING/);
});

Deno.test("overheadMarkdown() is a table with the pending logging row", () => {
  const md = overheadMarkdown(fakeReport());
  const lines = md.trimEnd().split("\n");
  assert.equal(lines[0], "| Lane | Measure | Direct | Through gateway | Added / kept |");
  assert.equal(lines[1], "|---|---|---|---|---|");
  for (const line of lines.slice(2)) assert.equal(line.split(" | ").length, 5, line);
  const targets = targetsMarkdown(fakeReport()).trimEnd().split("\n");
  assert.equal(targets[0], "| Target | Gateway | Bare relay | Compared | Limit | Result |");
  assert.equal(targets.length, 12);
  assert.match(targets[11]!, /^\| Idle RSS \| 60\.0 MiB \| – \| 60\.0 MiB \| ≤ 80 MiB \| PASS \|$/);
  assert.match(md, /\| Logging on vs off \| PENDING: lands with the request log \|/);
  assert.doesNotMatch(overheadMarkdown(fakeReport(), { pendingLogging: false }), /PENDING/);
  const off = fakeReport();
  off.lanes.latency!.addedP50Ms = 0.15;
  off.lanes.throughput!.points[1]!.keptPct = 45;
  const logged = overheadMarkdown(fakeReport(), { loggingOff: off });
  assert.doesNotMatch(logged, /PENDING/);
  assert.match(
    logged,
    /\| Request log, c=1 \| added p50: sealed bodies \/ metadata only \| – \| \+0\.200 ms \/ \+0\.150 ms \| bodies \+0\.050 ms \|/,
  );
  assert.match(
    logged,
    /\| Request log, c=50 \| kept: sealed bodies \/ metadata only \| – \| 40\.0% \/ 45\.0% \| bodies -5\.0 points \|/,
  );
  const relay = { ...fakeReport(), subject: "bare relay" };
  assert.match(overheadMarkdown(relay), /\| Through bare relay \|/);
});

Deno.test("overheadJson() uses snake_case, drops spectra and gives each target a result", () => {
  const json = JSON.parse(JSON.stringify(overheadJson(fakeReport())));
  assert.equal(json.azmw_bench_overhead, 1);
  assert.equal(json.lanes.latency.added_p50_ms, 0.2);
  assert.equal(json.lanes.latency.added_p99_9_ms, 3.2);
  assert.equal(json.lanes.latency.direct.latency.p50_us, 300);
  assert.equal(json.lanes.latency.spectra, undefined);
  assert.equal(json.lanes.stream.ttfb_spectra, undefined);
  assert.equal(json.machine.cpu_model, "Test CPU");
  const byId = Object.fromEntries(json.targets.map((t: { id: string; result: string }) => [t.id, t.result]));
  assert.deepEqual(byId, {
    throughput_c50: "PASS",
    cpu_c1: "PASS",
    cpu_c50: "FAIL",
    latency_p50: "PASS",
    latency_p99: "FAIL",
    stream_ttfb: "PASS",
    stream_chunk: "PASS",
    rss_load: "PASS",
    memory_streams: "FAIL",
    rss_idle: "PASS",
  });
  assert.equal(json.relay.latency.added_p50_ms, 0.15);
  assert.equal(json.lanes.latency.cost.cpu_us_per_request, 140);
});

Deno.test("overheadHtml() is one self-contained page with direct and gateway plotted", () => {
  const html = overheadHtml(fakeReport());
  assertSelfContained(html);
  assert.equal(html.match(/<svg /g)?.length, 4); // c=1, c=10, c=50, stream TTFB
  assert.match(html, /through gateway/);
  assert.match(html, /<td class="fail">FAIL<\/td>/);
});

Deno.test("progressLine() draws a bar with counts", () => {
  const line = progressLine({ completed: 450, ok: 448, elapsedMs: 1000, fraction: 0.45 }, 20);
  assert.equal(line, "[#########-----------]  45%  450 req  450.0 req/s  2 errors");
  assert.match(
    progressLine({ completed: 0, ok: 0, elapsedMs: 0, fraction: 2 }, 4),
    /^\[####\] 100% {2}0 req {2}0\.0 req\/s {2}0 errors$/,
  );
});

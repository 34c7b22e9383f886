import assert from "node:assert/strict";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { createGatewayMetrics, rejectionReason } from "../../src/observability/metrics.ts";
import { Counter, Histogram, Registry } from "../../src/observability/registry.ts";
import type { CallRecord } from "../../src/pipeline/record.ts";

function record(over: Partial<CallRecord> = {}): CallRecord {
  return {
    id: "r1",
    ts: "2026-11-25T00:00:00.000Z",
    caller: { keyId: "dev", project: "demo", tokenId: null },
    dialect: "openai",
    operation: "chat",
    model: "gpt-4o",
    upstream: "azure-main",
    deployment: "gpt-4o-prod",
    status: 200,
    stream: false,
    attempts: 1,
    latencyMs: 120,
    ttfbMs: 80,
    usage: {
      promptTokens: 10,
      completionTokens: 5,
      cachedTokens: 4,
      reasoningTokens: 2,
      totalTokens: 15,
      cacheWriteTokens: 0,
    },
    usageSource: "upstream",
    error: null,
    requestBody: null,
    responseBody: null,
    assembled: null,
    ...over,
  } as CallRecord;
}

type Family = {
  name: string;
  type: string;
  metrics: {
    labels?: Record<string, string>;
    value?: string;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }[];
};

function parse(text: string): Map<string, Family> {
  const families = parsePrometheusTextFormat(text) as Family[];
  return new Map(families.map((f) => [f.name, f]));
}

Deno.test("createGatewayMetrics() counts calls, tokens and latency after known traffic", () => {
  const m = createGatewayMetrics({ now: () => 1_700_000_000_000 });
  m.sink(record());
  m.sink(record({ id: "r2", latencyMs: 3000, ttfbMs: 2000 }));
  m.sink(record({ id: "r3", status: 429, attempts: 3, usage: null }));
  m.sink(record({ id: "r4", status: "client_closed", stream: true, costEur: 0.25 }));
  m.observeOverhead(0.0003);
  const text = m.render({ inFlight: 2 });
  const fams = parse(text);

  const req = fams.get("azmw_requests_total")!;
  assert.equal(req.type, "COUNTER");
  const ok = req.metrics.find((s) => s.labels?.status === "200")!;
  assert.equal(ok.value, "2");
  assert.deepEqual(ok.labels, {
    dialect: "openai",
    operation: "chat",
    model: "gpt-4o",
    upstream: "azure-main",
    status: "200",
  });
  assert.equal(req.metrics.find((s) => s.labels?.status === "client_closed")?.value, "1");

  const tokens = fams.get("azmw_tokens_total")!;
  const prompt = tokens.metrics.find((s) => s.labels?.kind === "prompt")!;
  assert.equal(prompt.value, "30");
  assert.equal(tokens.metrics.find((s) => s.labels?.kind === "cached")?.value, "12");
  assert.equal(tokens.metrics.find((s) => s.labels?.kind === "reasoning")?.value, "6");

  // The parser keeps buckets of labelled histograms but drops their labels, _sum and _count; read those as text.
  const dur = fams.get("azmw_request_duration_seconds")!.metrics[0]!;
  assert.equal(dur.buckets?.["0.25"], "3");
  assert.equal(dur.buckets?.["5"], "4");
  assert.equal(dur.buckets?.["+Inf"], "4");
  const labels = 'dialect="openai",operation="chat",model="gpt-4o",upstream="azure-main"';
  assert.ok(text.includes(`azmw_request_duration_seconds_count{${labels}} 4\n`));
  const sum = Number(new RegExp(`azmw_request_duration_seconds_sum\\{${labels}\\} (\\S+)`).exec(text)?.[1]);
  assert.ok(Math.abs(sum - (0.12 * 3 + 3)) < 1e-9, String(sum));

  assert.equal(fams.get("azmw_retries_total")!.metrics[0]!.value, "2");
  assert.deepEqual(fams.get("azmw_cost_eur_total")!.metrics[0], {
    labels: { model: "gpt-4o", project: "demo" },
    value: "0.25",
  });
  assert.equal(fams.get("azmw_in_flight_requests")!.metrics[0]!.value, "2");
  assert.equal(fams.get("azmw_gateway_overhead_seconds")!.metrics[0]!.buckets?.["0.0005"], "1");
  assert.equal(fams.get("azmw_client_disconnects_total")!.metrics[0]!.value, "1");
  assert.ok(Number(fams.get("process_resident_memory_bytes")!.metrics[0]!.value) > 0);
  assert.equal(fams.get("process_start_time_seconds")!.metrics[0]!.value, "1700000000");
  assert.equal(fams.get("process_cpu_seconds_total")!.type, "COUNTER");
  assert.ok(Number(fams.get("process_cpu_seconds_total")!.metrics[0]!.value) > 0);
  for (
    const name of [
      "process_virtual_memory_bytes",
      "process_open_fds",
      "process_max_fds",
      "process_heap_bytes",
    ]
  ) {
    assert.ok(Number(fams.get(name)?.metrics[0]?.value) > 0, name);
  }
});

Deno.test("createGatewayMetrics() counts the gateway's own refusals by reason", () => {
  const m = createGatewayMetrics();
  const refused = (status: number, code: string) =>
    record({
      status,
      attempts: 0,
      upstream: null,
      deployment: null,
      usage: null,
      error: { type: "x", code, message: "m" },
    });
  m.sink(refused(401, "invalid_api_key"));
  m.sink(refused(429, "rate_limit_exceeded"));
  m.sink(refused(429, "daily_cost_cap_exceeded"));
  m.sink(refused(403, "model_not_allowed"));
  const fams = parse(m.render({ inFlight: 0 }));
  const by = Object.fromEntries(
    fams.get("azmw_rejections_total")!.metrics.map((s) => [s.labels!.reason, s.value]),
  );
  assert.deepEqual(by, { auth: "1", rate_limit: "1", cost_cap: "1", policy: "1" });
  const unknown = fams.get("azmw_requests_total")!.metrics.find((s) => s.labels?.status === "401")!;
  assert.equal(unknown.labels?.model, "unknown", "unresolved model names never become labels");
});

Deno.test("rejectionReason() ignores upstream outcomes", () => {
  assert.equal(rejectionReason(record({ status: 429, attempts: 1 })), null);
  assert.equal(rejectionReason(record({ status: 400, attempts: 0 })), "bad_request");
  assert.equal(rejectionReason(record({ status: 404, attempts: 0 })), "not_found");
  assert.equal(rejectionReason(record({ status: 502, attempts: 0 })), null);
});

Deno.test("metrics never carry secrets or caller key ids as labels", () => {
  const m = createGatewayMetrics();
  m.sink(record({ caller: { keyId: "secret-key-id", project: "p", tokenId: "tok" } }));
  const text = m.render({ inFlight: 0 });
  assert.ok(!text.includes("secret-key-id"));
  assert.ok(!text.includes('tok"'));
});

Deno.test("Registry escapes label values and refuses bad or duplicate names", () => {
  const r = new Registry();
  const c = r.add(new Counter("x_total", "X", ["l"]));
  c.inc({ l: 'a"b\\c\nd' });
  assert.match(r.render(), /x_total\{l="a\\"b\\\\c\\nd"\} 1/);
  assert.throws(() => r.add(new Counter("x_total", "again")), /Duplicate/);
  assert.throws(() => new Counter("bad-name", "x"), /Invalid metric name/);
  const h = r.add(new Histogram("h_seconds", "H", [], [1, 2]));
  h.observe(undefined, 5);
  assert.equal(h.count(), 1);
  assert.match(r.render(), /h_seconds_bucket\{le="2"\} 0\nh_seconds_bucket\{le="\+Inf"\} 1/);
  const g = createGatewayMetrics();
  g.gauge("azmw_log_queue_depth", "Queued log records", [], () => [[undefined, 7]]);
  assert.match(g.render({ inFlight: 0 }), /azmw_log_queue_depth 7/);
});

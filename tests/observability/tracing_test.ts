/**
 * Tracing: a gateway subprocess with Deno's built-in OpenTelemetry exports OTLP/HTTP (JSON) to a receiver
 * in the test; the gateway call's span carries the GenAI attributes and is a child of the request span.
 */
import assert from "node:assert/strict";
import { serveMock } from "../../src/mock/mod.ts";
import { genAiAttributes } from "../../src/observability/tracing.ts";
import type { CallRecord } from "../../src/core/record.ts";
import { spawnServe } from "../_helpers/serve_process.ts";

type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: Record<string, unknown> }[];
};

function attr(span: OtlpSpan, key: string): unknown {
  const v = span.attributes.find((a) => a.key === key)?.value;
  return v === undefined ? undefined : Object.values(v)[0];
}

/** Waits for `p`, failing with `what` after `ms` instead of hanging the suite. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

type OtlpMetric = {
  name: string;
  unit: string;
  histogram?: { dataPoints: { attributes: OtlpSpan["attributes"]; count: string; sum: number }[] };
};

function pointAttr(p: { attributes: OtlpSpan["attributes"] }, key: string): unknown {
  const v = p.attributes.find((a) => a.key === key)?.value;
  return v === undefined ? undefined : Object.values(v)[0];
}

Deno.test("gateway calls are traced with GenAI attributes and client metrics (OTLP/HTTP receiver)", async () => {
  const spans: OtlpSpan[] = [];
  const genAiMetrics = new Map<string, OtlpMetric>();
  const arrived = Promise.withResolvers<void>();
  const metricsArrived = Promise.withResolvers<void>();
  const receiver = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/v1/traces") {
      const body = await req.json();
      for (const rs of body.resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
      }
      if (spans.filter((s) => attr(s, "gen_ai.operation.name") !== undefined).length >= 2) arrived.resolve();
    } else if (path === "/v1/metrics") {
      const body = await req.json();
      for (const rm of body.resourceMetrics ?? []) {
        for (const sm of rm.scopeMetrics ?? []) {
          for (const m of sm.metrics ?? []) if (m.name.startsWith("gen_ai.")) genAiMetrics.set(m.name, m);
        }
      }
      const usage = genAiMetrics.get("gen_ai.client.token.usage");
      if (usage && genAiMetrics.has("gen_ai.client.operation.duration")) {
        const providers = new Set(
          usage.histogram!.dataPoints.map((p) => pointAttr(p, "gen_ai.provider.name")),
        );
        if (providers.has("anthropic") && providers.has("azure.ai.openai")) metricsArrived.resolve();
      }
    } else await req.body?.cancel();
    return new Response("{}", { headers: { "content-type": "application/json" } });
  });
  const mock = serveMock({ apiKey: "up-key" });
  const mockHost = new URL(mock.url).hostname;
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/c.yaml`,
    `auth: { keys: [{ id: dev, key: env:T_CALLER }] }
logs: { dir: ${dir}/logs, bodies: false }
upstreams:
  - { name: mock, kind: azure, endpoint: ${mock.url}, auth: { type: api_key, key: env:T_UP }, deployments: [{ name: gpt-4o-prod, model: gpt-4o }] }
  - { name: claude, kind: anthropic, base_url: ${mock.url}, auth: { type: api_key, key: env:T_UP }, deployments: [{ name: claude-sonnet-4-5 }] }
`,
  );
  const gateway = await spawnServe(["-c", `${dir}/c.yaml`, "--port", "0", "--data-dir", `${dir}/d`], {
    cwd: dir,
    env: {
      T_CALLER: "caller-key",
      T_UP: "up-key",
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.addr.port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "100",
      OTEL_METRIC_EXPORT_INTERVAL: "200",
      OTEL_DENO_CONSOLE: "ignore",
      OTEL_SERVICE_NAME: "azmw-test",
    },
  });
  const child = gateway.child;
  try {
    const url = gateway.url;
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer caller-key", "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    });
    assert.equal(res.status, 200);
    const answer = await res.json();
    // An OpenAI-style call served by an Anthropic upstream: the provider is the one that served it.
    const translated = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer caller-key", "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "hi" }] }),
    });
    assert.equal(translated.status, 200);
    await translated.body?.cancel();
    await within(metricsArrived.promise, 20_000, "the GenAI client metrics of both calls");
    child.kill("SIGTERM"); // shutdown flushes the exporter
    await within(arrived.promise, 20_000, "the spans of both calls");
    const call = spans.find((s) => s.name === "chat gpt-4o")!;
    assert.ok(call, "a span named after the operation and model");
    assert.equal(attr(call, "gen_ai.request.model"), "gpt-4o");
    assert.equal(attr(call, "gen_ai.provider.name"), "azure.ai.openai");
    assert.equal(attr(call, "gen_ai.system"), undefined, "the deprecated attribute is gone");
    assert.equal(attr(call, "server.address"), mockHost);
    assert.equal(attr(call, "gen_ai.response.id"), answer.id, "response attributes on a non-streamed call");
    assert.equal(attr(call, "gen_ai.response.model"), answer.model);
    assert.deepEqual(
      call.attributes.find((a) => a.key === "gen_ai.response.finish_reasons")?.value,
      { arrayValue: { values: [{ stringValue: "stop" }] } },
    );
    const input = call.attributes.find((a) => a.key === "gen_ai.usage.input_tokens")?.value;
    assert.ok(input && "intValue" in input, `token counts are integers, got ${JSON.stringify(input)}`);
    assert.equal(Number(input.intValue), answer.usage.prompt_tokens);
    assert.ok(Number(attr(call, "gen_ai.usage.output_tokens")) > 0);
    assert.equal(Number(attr(call, "http.response.status_code")), 200);
    const claude = spans.find((s) => s.name === "chat claude-sonnet-4-5")!;
    assert.equal(attr(claude, "gen_ai.provider.name"), "anthropic");
    const usage = genAiMetrics.get("gen_ai.client.token.usage")!;
    assert.equal(usage.unit, "{token}");
    const types = new Set(usage.histogram!.dataPoints.map((p) => pointAttr(p, "gen_ai.token.type")));
    assert.deepEqual([...types].sort(), ["input", "output"]);
    const inputPoint = usage.histogram!.dataPoints.find((p) =>
      pointAttr(p, "gen_ai.token.type") === "input" && pointAttr(p, "gen_ai.request.model") === "gpt-4o"
    )!;
    assert.equal(inputPoint.sum, answer.usage.prompt_tokens);
    assert.equal(pointAttr(inputPoint, "gen_ai.operation.name"), "chat");
    const duration = genAiMetrics.get("gen_ai.client.operation.duration")!;
    assert.equal(duration.unit, "s");
    assert.equal(duration.histogram!.dataPoints.reduce((n, p) => n + Number(p.count), 0), 2);
    const server = spans.find((s) => s.spanId === call.parentSpanId);
    assert.ok(server, "the call span is a child of Deno's request span");
    const upstream = spans.find((s) => s.parentSpanId === call.spanId);
    assert.ok(upstream, "the upstream fetch span is a child of the call span");
    assert.ok(!JSON.stringify(spans).includes("caller-key") && !JSON.stringify(spans).includes("up-key"));
  } finally {
    try {
      child.kill("SIGTERM");
    } catch { /* already stopped */ }
    // Deno flushes its OpenTelemetry exporters at exit; under heavy load that flush was seen to block the
    // child's exit. What this test checks has arrived by now, so a child that does not go gets SIGKILL.
    const exited = await within(child.status, 15_000, "the gateway to exit").catch(() => null);
    if (exited === null) {
      console.warn(
        "tracing test: the gateway had not exited 15 s after SIGTERM (OTel flush at exit); killed",
      );
      child.kill("SIGKILL");
      await child.status;
    }
    await receiver.shutdown();
    await mock.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("genAiAttributes() maps a call record to GenAI attributes", () => {
  const r = {
    id: "x",
    dialect: "openai",
    operation: "embeddings",
    model: "text-embedding-3-small",
    upstream: "u",
    deployment: "d",
    status: "client_closed",
    stream: false,
    attempts: 1,
    ttfbMs: 3,
    usage: {
      promptTokens: 3,
      completionTokens: 0,
      cachedTokens: 1,
      reasoningTokens: 2,
      totalTokens: 3,
      cacheWriteTokens: 0,
    },
    assembled: { id: "resp_1", model: "m", content: "", toolCalls: [], finishReason: "stop", events: 1 },
    error: { type: "t", code: "client_closed", message: "m" },
  } as unknown as CallRecord;
  const a = genAiAttributes(r);
  assert.equal(a["gen_ai.operation.name"], "embeddings");
  assert.equal(a["http.response.status_code"], 499n);
  assert.deepEqual(a["gen_ai.response.finish_reasons"], ["stop"]);
  assert.equal(a["gen_ai.usage.cache_read.input_tokens"], 1n);
  assert.equal(a["azmw.usage.reasoning_tokens"], 2n);
  assert.equal(a["gen_ai.usage.input_tokens"], 3n, "token counts are integers (bigint → OTLP intValue)");
  assert.equal(a["error.type"], "client_closed");
  assert.equal(a["gen_ai.response.id"], "resp_1");
});

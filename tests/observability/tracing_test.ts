/**
 * Tracing: a gateway subprocess with Deno's built-in OpenTelemetry exports OTLP/HTTP (JSON) to a receiver
 * in the test; the gateway call's span carries the GenAI attributes and is a child of the request span.
 */
import assert from "node:assert/strict";
import { serveMock } from "../../src/mock/mod.ts";
import { genAiAttributes } from "../../src/observability/tracing.ts";
import type { CallRecord } from "../../src/pipeline/record.ts";
import { MAIN } from "../_helpers/cli.ts";

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

Deno.test("gateway calls are traced with GenAI attributes (OTLP/HTTP receiver)", async () => {
  const spans: OtlpSpan[] = [];
  const arrived = Promise.withResolvers<void>();
  const receiver = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    if (new URL(req.url).pathname === "/v1/traces") {
      const body = await req.json();
      for (const rs of body.resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
      }
      if (spans.some((s) => attr(s, "gen_ai.operation.name") !== undefined)) arrived.resolve();
    } else await req.body?.cancel();
    return new Response("{}", { headers: { "content-type": "application/json" } });
  });
  const mock = serveMock({ apiKey: "up-key" });
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/c.yaml`,
    `auth: { keys: [{ id: dev, key: env:T_CALLER }] }
logs: { dir: ${dir}/logs, bodies: false }
upstreams:
  - { name: mock, kind: azure, endpoint: ${mock.url}, auth: { type: api_key, key: env:T_UP }, deployments: [{ name: gpt-4o-prod, model: gpt-4o }] }
`,
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "serve", "-c", `${dir}/c.yaml`, "--port", "0", "--data-dir", `${dir}/d`],
    env: {
      T_CALLER: "caller-key",
      T_UP: "up-key",
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.addr.port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "100",
      OTEL_DENO_CONSOLE: "ignore",
      OTEL_SERVICE_NAME: "azmw-test",
    },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!/listening on \S+/.test(out)) out += (await reader.read()).value ?? "";
  try {
    const url = /listening on (\S+)/.exec(out)![1];
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer caller-key", "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    child.kill("SIGTERM"); // shutdown flushes the exporter
    await Promise.race([arrived.promise, child.status]);
    await arrived.promise;
    const call = spans.find((s) => attr(s, "gen_ai.operation.name") === "chat")!;
    assert.equal(call.name, "chat gpt-4o");
    assert.equal(attr(call, "gen_ai.request.model"), "gpt-4o");
    assert.equal(attr(call, "gen_ai.system"), "azure.ai.openai");
    assert.ok(Number(attr(call, "gen_ai.usage.input_tokens")) > 0);
    assert.ok(Number(attr(call, "gen_ai.usage.output_tokens")) > 0);
    assert.equal(Number(attr(call, "http.response.status_code")), 200);
    const server = spans.find((s) => s.spanId === call.parentSpanId);
    assert.ok(server, "the call span is a child of Deno's request span");
    const upstream = spans.find((s) => s.parentSpanId === call.spanId);
    assert.ok(upstream, "the upstream fetch span is a child of the call span");
    assert.ok(!JSON.stringify(spans).includes("caller-key") && !JSON.stringify(spans).includes("up-key"));
  } finally {
    try {
      child.kill("SIGTERM");
    } catch { /* already stopped */ }
    await child.status;
    await reader.cancel();
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
  assert.equal(a["http.response.status_code"], 499);
  assert.deepEqual(a["gen_ai.response.finish_reasons"], ["stop"]);
  assert.equal(a["gen_ai.usage.cached_input_tokens"], 1);
  assert.equal(a["gen_ai.usage.reasoning_tokens"], 2);
  assert.equal(a["error.type"], "client_closed");
  assert.equal(a["gen_ai.response.id"], "resp_1");
});

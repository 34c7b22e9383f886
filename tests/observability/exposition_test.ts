/**
 * `/metrics` of a real `azmw serve` process: every metric family it exports is documented in the metrics
 * table of docs/operations.md and every documented one is exported; the breaker state, today's spend and the process
 * metrics are there with their labels.
 */
import assert from "node:assert/strict";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { serveMock } from "../../src/mock/mod.ts";
import { documentedMetrics } from "../_helpers/docs.ts";
import { spawnServe } from "../_helpers/serve_process.ts";

Deno.test("/metrics of a running gateway exports exactly the metrics docs/operations.md documents", async () => {
  const mock = serveMock({ apiKey: "up-key" });
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/c.yaml`,
    `auth: { keys: [{ id: dev, key: env:T_CALLER, project: demo }] }
logs: { dir: ${dir}/logs, bodies: false }
budget: { daily_eur: 100 }
upstreams:
  - { name: mock, kind: azure, endpoint: ${mock.url}, auth: { type: api_key, key: env:T_UP }, deployments: [{ name: gpt-4o-prod, model: gpt-4o }] }
`,
  );
  const gateway = await spawnServe(["-c", `${dir}/c.yaml`, "--port", "0", "--data-dir", `${dir}/d`], {
    cwd: dir,
    env: { T_CALLER: "caller-key", T_UP: "up-key" },
  });
  try {
    const url = gateway.url;
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer caller-key", "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    const text = await (await fetch(`${url}/metrics`)).text();

    const exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    const documented = await documentedMetrics();
    assert.deepEqual(
      [...exported].filter((n) => !documented.has(n)).sort(),
      [],
      "exported but not in docs/operations.md",
    );
    assert.deepEqual(
      [...documented].filter((n) => !exported.has(n)).sort(),
      [],
      "in docs/operations.md but not exported",
    );

    const families = new Map(
      (parsePrometheusTextFormat(text) as {
        name: string;
        metrics: { labels?: Record<string, string>; value?: string }[];
      }[])
        .map((f) => [f.name, f]),
    );
    const breaker = families.get("azmw_breaker_state")!.metrics;
    assert.deepEqual(
      breaker.map((m) => [m.labels?.state, m.value]).sort(),
      [["closed", "1"], ["half_open", "0"], ["open", "0"]],
    );
    const spend = families.get("azmw_cost_today_eur")!.metrics;
    const global = spend.find((m) => m.labels?.scope === "global");
    assert.ok(global && Number(global.value) > 0, "today's spend after one priced call");
    assert.ok(spend.some((m) => m.labels?.scope === "project:demo"));
    assert.match(text, /azmw_request_duration_seconds_count\{[^}]*model="gpt-4o"[^}]*\} 1/);
    for (const name of ["process_cpu_seconds_total", "process_open_fds", "process_max_fds"]) {
      assert.ok(Number(families.get(name)?.metrics[0]?.value) > 0, name);
    }
    assert.ok(!text.includes("caller-key") && !text.includes("up-key"), "no secret in the exposition");
  } finally {
    await gateway.stop("SIGTERM");
    await mock.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

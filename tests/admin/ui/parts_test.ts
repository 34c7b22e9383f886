import assert from "node:assert/strict";
import { adminTokenPath, ensureAdminToken } from "../../../src/admin/ui/admin_token.ts";
import { barList, columnChart } from "../../../src/admin/ui/chart.ts";
import { esc, ms, time } from "../../../src/admin/ui/html.ts";
import { policyFromForm, policySummary } from "../../../src/admin/ui/policy_form.ts";
import { isError, percentile, RecentCalls, SAMPLES } from "../../../src/admin/ui/recent_calls.ts";
import { basicPassword, cookie } from "../../../src/admin/ui/session.ts";
import { callRecord } from "./_ui.ts";

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll("-", "");

Deno.test("RecentCalls keeps the latest calls, filters them and sums today per model and project", () => {
  const calls = new RecentCalls({ dayOf, capacity: 3 });
  calls.sink(callRecord({ id: "a", latencyMs: 100 }));
  calls.sink(callRecord({ id: "b", latencyMs: 300, status: 502, model: "gpt-4.1" }));
  calls.sink(
    callRecord({ id: "c", latencyMs: 200, caller: { keyId: "k", project: null, tokenId: "tok_1" } }),
  );
  calls.sink(
    callRecord({
      id: "d",
      latencyMs: 400,
      status: "client_closed",
      caller: null,
      usage: null,
      costEur: null,
    }),
  );
  assert.deepEqual(calls.list().map((c) => c.id), ["d", "c", "b"]);
  assert.deepEqual(calls.list({}, 1).map((c) => c.id), ["d"]);
  assert.deepEqual(calls.list({ outcome: "error" }).map((c) => c.id), ["b"]);
  assert.deepEqual(calls.list({ outcome: "ok" }).map((c) => c.id), ["d", "c"]);
  assert.deepEqual(calls.list({ caller: "tok_1" }).map((c) => c.caller), ["token:tok_1"]);
  assert.deepEqual(calls.list({ model: "gpt-4.1", project: "demo" }).map((c) => c.id), ["b"]);
  assert.equal(calls.list()[0]!.caller, "anonymous");
  const today = calls.today(Date.parse("2030-01-01T12:00:00Z"));
  assert.equal(today.total.requests, 4);
  assert.equal(today.total.errors, 1);
  assert.equal(today.total.costEur, 0.75);
  assert.equal(today.total.tokens, 45);
  assert.equal(today.models.get("gpt-4o")!.requests, 3);
  assert.equal(today.projects.get("(none)")!.requests, 2);
  assert.equal(percentile(today.total.latencies, 0.5), 200);
  assert.equal(percentile(today.total.latencies, 0.99), 400);
  // The next day starts from zero; a late call of yesterday leaves today's figures alone.
  assert.equal(calls.today(Date.parse("2030-01-02T00:00:00Z")).total.requests, 0);
  calls.sink(callRecord({ id: "e", ts: "2030-01-02T00:00:01.000Z" }));
  calls.sink(callRecord({ id: "f", ts: "2030-01-01T23:59:59.000Z" }));
  assert.equal(calls.today(Date.parse("2030-01-02T01:00:00Z")).total.requests, 1);
  assert.equal(calls.list()[0]!.id, "f");
});

Deno.test("RecentCalls keeps at most SAMPLES latencies per group", () => {
  const calls = new RecentCalls({ dayOf });
  for (let i = 0; i < SAMPLES + 5; i++) calls.add(callRecord({ id: String(i), latencyMs: i }));
  const { total } = calls.today(Date.parse("2030-01-01T00:00:02Z"));
  assert.equal(total.requests, SAMPLES + 5);
  assert.equal(total.latencies.length, SAMPLES);
  assert.equal(total.latencies[0], 5);
});

Deno.test("percentile() and isError()", () => {
  assert.equal(percentile([], 0.5), null);
  assert.equal(percentile([5], 0.99), 5);
  assert.equal(percentile([1, 2, 3, 4], 0.5), 2);
  assert.equal(isError(399), false);
  assert.equal(isError(429), true);
  assert.equal(isError("client_closed"), false);
});

Deno.test("ensureAdminToken() creates the token once with mode 0600 and then reuses it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await ensureAdminToken(`${dir}/data/`, (n) => new Uint8Array(n).fill(7));
    assert.equal(first.created, true);
    assert.equal(first.path, `${dir}/data/admin_token`);
    assert.match(first.token, /^azmw_admin_[A-Za-z0-9_-]{43}$/);
    assert.equal((await Deno.stat(first.path)).mode! & 0o777, 0o600);
    const again = await ensureAdminToken(`${dir}/data`);
    assert.deepEqual(again, { ...first, created: false });
    await Deno.writeTextFile(first.path, "  \n");
    assert.equal((await ensureAdminToken(`${dir}/data`)).created, true);
    assert.equal(adminTokenPath("/x//"), "/x/admin_token");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ensureAdminToken() passes on errors other than a missing file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/admin_token`);
    await assert.rejects(() => ensureAdminToken(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("policyFromForm() reads the policy editor; policySummary() describes it in a line", () => {
  const form = new URLSearchParams(
    "models=gpt-4o*,+gpt-4.1&operations=chat&operations=messages&max_tokens=100&max_body_bytes=&rpm=6e1&tpm=x&daily_cost_eur=2.5",
  );
  const policy = policyFromForm(form);
  assert.deepEqual(policy, {
    models: ["gpt-4o*", "gpt-4.1"],
    operations: ["chat", "messages"],
    max_tokens: 100,
    rpm: 60,
    tpm: "x",
    daily_cost_eur: 2.5,
  });
  assert.deepEqual(policyFromForm(new URLSearchParams()), {});
  assert.equal(policySummary({}), "no limits");
  assert.equal(
    policySummary({ ...policy, max_body_bytes: 10, tpm: 5 }),
    "models gpt-4o*, gpt-4.1; ops chat, messages; max_tokens 100; body ≤ 10 B; rpm 60; tpm 5; cap €2.5/day",
  );
});

Deno.test("charts are inline SVG with escaped labels and an accessible name", () => {
  const svg = columnChart("Spend <per> day", [{ label: "<a>", value: 2 }, { label: "b", value: 0 }], {
    format: (v) => `€${v}`,
  });
  assert.ok(svg.startsWith('<svg class="chart" role="img" aria-label="Spend &lt;per&gt; day: total €2"'));
  assert.ok(svg.includes("&lt;a&gt;: €2"));
  assert.ok(!svg.includes("<a>"));
  assert.ok(!svg.includes("style="));
  const empty = columnChart("Nothing", []);
  assert.ok(empty.includes("max 0"));
  const bars = barList("Per model", [{ label: "a-very-long-model-name-indeed-yes", value: 1 }, {
    label: "<m>",
    value: 0,
  }]);
  assert.ok(bars.includes("a-very-long-model-nam…"));
  assert.ok(bars.includes("&lt;m&gt;"));
  assert.ok(barList("Per model", []).includes("No spend in this range"));
});

Deno.test("html helpers escape and format", () => {
  assert.equal(esc(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  assert.equal(esc(null), "");
  assert.equal(ms(null), "–");
  assert.equal(ms(1500), "1.5 s");
  assert.equal(time(null), "–");
  assert.equal(
    time("2030-01-01T10:11:12.000Z"),
    '<time datetime="2030-01-01T10:11:12.000Z">2030-01-01 10:11:12</time>',
  );
});

Deno.test("basicPassword() and cookie() parse their headers", () => {
  assert.equal(basicPassword(`Basic ${btoa("u:p:w")}`), "p:w");
  assert.equal(basicPassword(`basic ${btoa("nocolon")}`), null);
  assert.equal(basicPassword("Basic !!!"), null);
  assert.equal(basicPassword("Basic /w=="), null); // not UTF-8
  assert.equal(basicPassword("Bearer abc"), null);
  assert.equal(basicPassword(null), null);
  assert.equal(cookie("a=1; azmw_admin=xyz; b=2", "azmw_admin"), "xyz");
  assert.equal(cookie("a=1", "azmw_admin"), null);
  assert.equal(cookie(null, "azmw_admin"), null);
});

Deno.test("RecentCalls.seed() reads today's calls of this instance back from the request log", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const line = (id: string, over: Record<string, unknown> = {}) =>
      JSON.stringify({
        v: 1,
        id,
        ts: "2030-01-01T10:00:00.000Z",
        instance: "t",
        caller: { key_id: "key_a", project: "alpha", token_id: null },
        dialect: "openai",
        operation: "chat",
        model: "gpt-4o",
        upstream: "azure",
        deployment: "gpt-4o-prod",
        status: 200,
        stream: true,
        attempts: 1,
        latency_ms: 50,
        ttfb_ms: 20,
        usage: {
          prompt_tokens: 3,
          completion_tokens: 4,
          cached_tokens: 0,
          reasoning_tokens: 0,
          total_tokens: 7,
        },
        usage_source: "upstream",
        cost_eur: 0.5,
        error: null,
        ...over,
        request: null,
        response: null,
      });
    await Deno.mkdir(`${dir}/20300101`);
    await Deno.writeTextFile(
      `${dir}/20300101/requests-t.jsonl`,
      [
        line("a"),
        line("b", {
          status: 503,
          caller: { key_id: "anonymous", project: null, token_id: null },
          usage: null,
          cost_eur: null,
          ttfb_ms: null,
          error: { type: "upstream_error", message: "down" },
        }),
        line("c", { caller: { key_id: "k", project: "alpha", token_id: "tok_1" } }),
      ].join("\n") + "\n",
    );
    await Deno.writeTextFile(`${dir}/20300101/requests-other.jsonl`, line("z") + "\n");
    const calls = new RecentCalls({ dayOf });
    assert.equal(await calls.seed(dir, { day: "20300101", instance: "t" }), 3);
    assert.equal(await calls.seed(dir, { day: "20300102", instance: "t" }), 0);
    const today = calls.today(Date.parse("2030-01-01T12:00:00Z"));
    assert.equal(today.total.requests, 3);
    assert.equal(today.total.errors, 1);
    assert.equal(today.total.costEur, 1);
    assert.equal(today.projects.get("alpha")!.requests, 2);
    const list = calls.list();
    assert.deepEqual(list.map((c) => c.caller), ["token:tok_1", "anonymous", "key:key_a"]);
    assert.equal(list[1]!.error, "upstream_error");
    assert.equal(list[1]!.costEur, null);
    assert.equal(list[2]!.stream, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { matchRoute } from "../../../src/core/routes.ts";
import { testApp } from "../../_helpers/app.ts";
import { testConfig } from "../../_helpers/config.ts";
import { adminUi, callRecord } from "./_ui.ts";

function logLine(id: string, model: string, project: string, cost: number | null): string {
  return JSON.stringify({
    v: 1,
    id,
    ts: "2030-01-01T10:00:00.000Z",
    instance: "t",
    caller: { key_id: "key_a", project, token_id: null },
    dialect: "openai",
    operation: "chat",
    model,
    upstream: "azure",
    deployment: model,
    status: 200,
    stream: false,
    attempts: 1,
    latency_ms: 10,
    ttfb_ms: 5,
    usage: {
      prompt_tokens: 1000,
      completion_tokens: 500,
      cached_tokens: 0,
      reasoning_tokens: 0,
      total_tokens: 1500,
    },
    usage_source: "upstream",
    cost_eur: cost,
    error: null,
    request: null,
    response: null,
  });
}

Deno.test("admin UI Usage page shows the cost report's figures and exports them as CSV", async () => {
  const ui = await adminUi();
  try {
    await Deno.mkdir(`${ui.config.logs.dir}/20300101`, { recursive: true });
    await Deno.writeTextFile(
      `${ui.config.logs.dir}/20300101/requests-t.jsonl`,
      [
        logLine("a", "gpt-4o", "alpha", 0.5),
        logLine("b", "gpt-4o", "beta", 0.25),
        logLine("c", "<x>", "alpha", null),
      ]
        .join("\n") + "\nnot json\n",
    );
    const page = await ui.request("/admin/usage?from=2030-01-01&to=20300101&by=model");
    assert.equal(page.status, 200);
    assert.ok(page.text.includes('<td>gpt-4o</td><td class="n">2</td>'));
    assert.ok(page.text.includes("&lt;x&gt;"));
    assert.ok(page.text.includes("€0.7500"));
    assert.ok(page.text.includes("priced from their usage"));
    assert.ok(page.text.includes("1 unreadable log lines were skipped"));
    assert.ok(page.text.includes('value="2030-01-01"'));
    const csv = await ui.request("/admin/usage.csv?from=20300101&to=20300101&by=project");
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get("content-type"), "text/csv; charset=utf-8");
    assert.match(csv.headers.get("content-disposition")!, /azmw-cost-20300101-20300101-by-project\.csv/);
    const lines = csv.text.trim().split("\n");
    assert.match(lines[0]!, /^project,requests,/);
    assert.match(lines[1]!, /^alpha,2,/);
    assert.match(lines.at(-1)!, /^TOTAL,3,/);
  } finally {
    await ui.close();
  }
});

Deno.test("admin UI Usage page explains a bad range or grouping and falls back", async () => {
  const ui = await adminUi();
  try {
    const bad = await ui.request("/admin/usage?from=2030-02-30");
    assert.ok(
      bad.text.includes("Invalid day &quot;20300230&quot;: not a calendar day: showing the last 30 days"),
    );
    const long = await ui.request("/admin/usage?from=20200101&to=20300101");
    assert.ok(long.text.includes("more than 366 days"));
    const by = await ui.request("/admin/usage?by=<x>");
    assert.ok(by.text.includes("Invalid grouping &quot;&lt;x&gt;&quot;: showing by day"));
  } finally {
    await ui.close();
  }
});

Deno.test("admin UI Calls: the page and its JSON endpoint list metadata, filtered, never bodies", async () => {
  const ui = await adminUi();
  try {
    ui.calls.add(callRecord({ requestBody: new TextEncoder().encode("SECRET PROMPT") }));
    ui.calls.add(callRecord({
      id: "r2",
      status: 429,
      model: "gpt-4.1",
      error: { type: "rate_limit_error", code: "rate_limited", message: "x" },
      costEur: null,
    }));
    const page = await ui.request("/admin/calls?outcome=error&project=demo");
    assert.equal(page.status, 200);
    assert.ok(page.text.includes('data-live="/admin/api/calls?project=demo&amp;outcome=error"'));
    assert.ok(page.text.includes("429 rate_limited"));
    assert.ok(!page.text.includes("SECRET"));
    const json = await ui.request("/admin/api/calls?model=gpt-4o");
    assert.equal(json.headers.get("content-type"), "application/json");
    const body = JSON.parse(json.text);
    assert.equal(body.rows.length, 1);
    assert.deepEqual(body.rows[0].cells, [
      "00:00:01",
      "demo",
      "key_1",
      "gpt-4o",
      "azure",
      "200",
      "120",
      "10 / 5",
      "0.250000",
    ]);
    assert.equal(body.rows[0].error, false);
    assert.ok(!json.text.includes("SECRET"));
    const all = JSON.parse((await ui.request("/admin/api/calls?outcome=bogus")).text);
    assert.equal(all.rows.length, 2);
    assert.equal(all.rows[0].error, true);
    assert.equal(all.rows[0].cells[8], "–");
  } finally {
    await ui.close();
  }
});

Deno.test("the gateway routes /admin/* to the admin UI with its live state, 404 without one", async () => {
  assert.deepEqual(matchRoute("GET", "/admin/"), { kind: "admin", dialect: "openai" });
  assert.deepEqual(matchRoute("POST", "/admin/keys/k/revoke"), { kind: "admin", dialect: "openai" });
  assert.equal(matchRoute("GET", "/administrator"), null);
  const config = testConfig([]);
  const bare = testApp({ config });
  const off = await bare(new Request("http://gw/admin/"));
  assert.equal(off.status, 404);
  assert.equal((await off.json()).error.code, "admin_disabled");
  let seen: unknown = null;
  const app = testApp({ config }, {
    admin: (_req, live) => {
      seen = live;
      return Promise.resolve(new Response("ui"));
    },
  });
  const res = await app(new Request("http://gw/admin/projects"));
  assert.equal(await res.text(), "ui");
  assert.deepEqual(seen, { inFlight: 0, targets: [], upstreams: [] });
});

Deno.test("admin UI Overview charts read past days from the logs once; today is live", async () => {
  const ui = await adminUi({ spend: { global: 2.5 } });
  try {
    const dir = ui.config.logs.dir;
    const write = async (day: string, id: string, cost: number) => {
      await Deno.mkdir(`${dir}/${day}`, { recursive: true });
      await Deno.writeTextFile(
        `${dir}/${day}/requests-t.jsonl`,
        logLine(id, "gpt-4o", "alpha", cost) + "\n",
        {
          append: true,
        },
      );
    };
    await write("20291230", "a", 0.5);
    await write("20291231", "b", 0.25);
    ui.calls.add(callRecord());
    const total = async () => {
      const page = await ui.request("/admin/");
      return {
        spend: /aria-label="Spend per day, last 30 days: total ([^"]+)"/.exec(page.text)![1],
        requests: /aria-label="Requests per day, last 30 days: total ([^"]+)"/.exec(page.text)![1],
      };
    };
    assert.deepEqual(await total(), { spend: "€3.25", requests: "3" });
    await write("20291230", "c", 1);
    await write("20291231", "d", 1);
    assert.deepEqual(await total(), { spend: "€3.25", requests: "3" });
    ui.clock.advance(6 * 60_000); // yesterday is read again; the day before stays as read
    assert.deepEqual(await total(), { spend: "€4.25", requests: "4" });
  } finally {
    await ui.close();
  }
});

import assert from "node:assert/strict";
import { PriceTable } from "../../src/cost/pricing.ts";
import { averageEur, buildReport, GROUP_BY, type GroupBy } from "../../src/cost/report.ts";
import { reportCsv, reportJson, reportTable } from "../../src/cost/report_format.ts";
import { reportHtml } from "../../src/cost/report_html.ts";
import type { LogRecord } from "../../src/logs/record.ts";
import { costConfig, FLAT_PRICING, logRecord, writeDay } from "./_util.ts";

const DAYS = ["20261122", "20261123", "20261124", "20261125"];
const prices = new PriceTable(costConfig({ pricing: FLAT_PRICING }).pricing);

/** A seeded multi-day log set: no logs on the first day, three instances on the others. */
async function logSet(dir: string): Promise<{ day: string; r: LogRecord }[]> {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const all: { day: string; r: LogRecord }[] = [];
  for (const day of DAYS.slice(1)) {
    for (const instance of ["a", "b", "c"]) {
      const records: LogRecord[] = [];
      for (let i = 0; i < 40; i++) {
        const prompt = Math.floor(rand() * 1000);
        const completion = Math.floor(rand() * 300);
        const model = pick(["m", "cheap", "unknown-x"]);
        const token = rand() < 0.2 ? "tok_1" : null;
        const r = logRecord({
          ts: `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}T10:00:00.000Z`,
          model,
          deployment: model,
          upstream: pick(["azure-main", "anthropic"]),
          caller: {
            key_id: token ?? pick(["dev", "ci"]),
            project: pick(["demo", "search", null]),
            token_id: token,
          },
          usage: {
            prompt_tokens: prompt,
            completion_tokens: completion,
            cached_tokens: 0,
            reasoning_tokens: 0,
            total_tokens: prompt + completion,
          },
          usage_source: rand() < 0.1 ? "estimated" : "upstream",
          cost_eur: rand() < 0.25 ? null : Math.round(rand() * 1e6) / 1e6,
        });
        records.push(r);
        all.push({ day, r });
      }
      await writeDay(dir, day, records, { instance });
    }
  }
  return all;
}

/** The expected EUR of a record, worked out independently of the report code. */
function expectedCost(r: LogRecord): number {
  if (r.cost_eur !== null) return r.cost_eur;
  const perToken = r.model === "m" ? 0.001 : r.model === "cheap" ? 0.0001 : 0.002; // fallback: €2000 per 1M
  return (r.usage!.prompt_tokens + r.usage!.completion_tokens) * perToken;
}

function keyOf(by: GroupBy, day: string, r: LogRecord): string {
  if (by === "day") return day;
  if (by === "model") return r.model!;
  if (by === "key") return r.caller.token_id ? `token:${r.caller.token_id}` : r.caller.key_id!;
  if (by === "project") return r.caller.project ?? "(none)";
  return r.upstream!;
}

Deno.test("buildReport() matches an independent sum over a multi-day log set, per dimension", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const all = await logSet(dir);
    for (const by of GROUP_BY) {
      const report = await buildReport(dir, { days: DAYS, by, prices });
      const want = new Map<string, { eur: number; requests: number; tokens: number }>();
      for (const { day, r } of all) {
        const k = keyOf(by, day, r);
        const w = want.get(k) ?? { eur: 0, requests: 0, tokens: 0 };
        w.eur += expectedCost(r);
        w.requests++;
        w.tokens += r.usage!.prompt_tokens;
        want.set(k, w);
      }
      assert.equal(report.rows.length, want.size, by);
      for (const row of report.rows) {
        const w = want.get(row.key)!;
        assert.ok(Math.abs(row.costEur - w.eur) < 1e-9, `${by} ${row.key}: ${row.costEur} vs ${w.eur}`);
        assert.equal(row.requests, w.requests);
        assert.equal(row.promptTokens, w.tokens);
      }
      const total = all.reduce((s, { r }) => s + expectedCost(r), 0);
      assert.ok(Math.abs(report.total.costEur - total) < 1e-9);
      assert.equal(report.total.requests, 360);
      assert.equal(report.total.repriced, all.filter(({ r }) => r.cost_eur === null).length);
      assert.equal(report.total.estimated, all.filter(({ r }) => r.usage_source === "estimated").length);
      assert.deepEqual(report.perDay.map((d) => d.day), DAYS);
      assert.equal(report.perDay[0]!.costEur, 0);
      assert.equal(report.files, 9);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report formats: table, CSV, JSON and a self-contained HTML page", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeDay(dir, "20261125", [
      logRecord({ model: "gpt-4o", deployment: null, cost_eur: 0.5 }),
      logRecord({ model: 'a "quoted", <model>', deployment: null, cost_eur: null }),
    ]);
    const report = await buildReport(dir, { days: ["20261124", "20261125"], by: "model", prices });
    const table = reportTable(report);
    assert.match(table, /^Cost report 20261124 to 20261125 by model \(EUR; prices as of 2026-12-04\)/);
    assert.match(table, /\nTOTAL\s+2\s+0\s+20\s+0\s+10\s+0\s+0\.5300\*\s+0\.2650\n/);
    assert.match(table, /\* 1 records had no logged cost/);
    const csv = reportCsv(report).trimEnd().split("\n");
    assert.equal(
      csv[0],
      "model,requests,refused,prompt_tokens,cached_tokens,cache_write_tokens,completion_tokens,reasoning_tokens,cost_eur,avg_cost_eur,repriced,estimated",
    );
    assert.equal(csv[1], "gpt-4o,1,0,10,0,0,5,0,0.5,0.5,0,0");
    assert.equal(csv[2], '"a ""quoted"", <model>",1,0,10,0,0,5,0,0.03,0.03,1,0');
    assert.equal(csv[3], "TOTAL,2,0,20,0,0,10,0,0.53,0.265,1,0");
    const json = JSON.parse(reportJson(report));
    assert.equal(json.total.cost_eur, 0.53);
    assert.deepEqual(json.per_day, [{ day: "20261124", cost_eur: 0 }, { day: "20261125", cost_eur: 0.53 }]);
    const html = reportHtml(report);
    assert.match(html, /^<!doctype html>/);
    assert.equal(html.match(/<svg /g)?.length, 2);
    assert.match(html, /a &#34;quoted&#34;, &#60;model&#62;/);
    assert.doesNotMatch(html, /<script|\bsrc=|\bhref=|url\(|@import|https?:/i, "no external assets");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("refused calls are shown apart and do not lower the average cost per request", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const refused = (status: number) =>
      logRecord({ attempts: 0, status, usage: null, cost_eur: 0, upstream: null, deployment: null });
    await writeDay(dir, "20261125", [
      logRecord({ cost_eur: 0.4 }),
      logRecord({ cost_eur: 0.2 }),
      ...Array.from({ length: 18 }, () => refused(429)),
    ]);
    const report = await buildReport(dir, { days: ["20261125"], by: "model", prices });
    assert.equal(report.total.requests, 2);
    assert.equal(report.total.refused, 18);
    assert.equal(averageEur(report.total), 0.3);
    assert.match(reportTable(report), /\nTOTAL\s+2\s+18\s/);
    assert.match(reportTable(report), /REFUSED: calls the gateway refused before any upstream attempt/);
    assert.match(reportHtml(report), /<th>refused<\/th>/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

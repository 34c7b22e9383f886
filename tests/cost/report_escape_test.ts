/** Caller-chosen names (model, key, project) reach the operator's terminal, spreadsheet and browser. */
import assert from "node:assert/strict";
import { PriceTable } from "../../src/cost/pricing.ts";
import { buildReport } from "../../src/cost/report.ts";
import { csvField, reportCsv, reportJson, reportTable } from "../../src/cost/report_format.ts";
import { reportHtml } from "../../src/cost/report_html.ts";
import { costConfig, FLAT_PRICING, logRecord, writeDay } from "./_util.ts";

const prices = new PriceTable(costConfig({ pricing: FLAT_PRICING }).pricing!);
const ESC_MODEL = "m\x1b]0;pwned\x07\x1b[2J\x9b31m\u202egpt";

Deno.test("cost report neutralises terminal escapes, CSV formulas and NUL bytes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeDay(dir, "20261125", [
      logRecord({ model: ESC_MODEL, deployment: null, cost_eur: 0.5 }),
      logRecord({ model: '=HYPERLINK("http://evil.example","x")', deployment: null, cost_eur: 0.5 }),
      logRecord({ model: "a\0b<c>", deployment: null, cost_eur: 0.5 }),
    ]);
    const report = await buildReport(dir, { days: ["20261125"], by: "model", prices });
    const table = reportTable(report);
    // deno-lint-ignore no-control-regex -- these control characters are what is checked for
    assert.doesNotMatch(table, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
    assert.ok(table.includes("m\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202egpt"), table);
    assert.ok(table.includes("a\\x00b<c>"));
    const csv = reportCsv(report);
    assert.ok(csv.includes(`"'=HYPERLINK(""http://evil.example"",""x"")"`), csv);
    const json = reportJson(report);
    // deno-lint-ignore no-control-regex -- these control characters are what is checked for
    assert.doesNotMatch(json, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
    assert.ok(
      JSON.parse(json).rows.some((r: { key: string }) => r.key === ESC_MODEL),
      "JSON keeps the value",
    );
    const html = reportHtml(report);
    // deno-lint-ignore no-control-regex -- these control characters are what is checked for
    assert.doesNotMatch(html, /[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]/);
    assert.ok(html.includes("a\ufffdb&#60;c&#62;"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("csvField() prefixes every formula trigger and leaves numbers alone", () => {
  for (const s of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]) {
    assert.ok(csvField(s).replace(/^"/, "").startsWith("'"), JSON.stringify(s));
  }
  assert.equal(csvField(-1.5), "-1.5");
  assert.equal(csvField("gpt-4o"), "gpt-4o");
});

import assert from "node:assert/strict";
import { costReportCommand, parseCostReportArgs } from "../../src/cli/cost.ts";
import { UsageError } from "../../src/core/command.ts";
import { main } from "../../src/cli/main.ts";
import { fakeIo, runAzmw } from "../_helpers/cli.ts";
import { logRecord, writeDay } from "./_util.ts";

Deno.test("parseCostReportArgs() reads every option and fills the defaults", () => {
  assert.deepEqual(parseCostReportArgs([]), {
    from: undefined,
    to: undefined,
    by: "day",
    format: "table",
    config: undefined,
    logsDir: undefined,
    out: undefined,
  });
  assert.deepEqual(
    parseCostReportArgs([
      "--from",
      "20261101",
      "--to=20261130",
      "--by",
      "project",
      "--format",
      "html",
      "-c",
      "c.yaml",
      "--logs-dir",
      "/var/log/azmw",
      "-o",
      "r.html",
    ]),
    {
      from: "20261101",
      to: "20261130",
      by: "project",
      format: "html",
      config: "c.yaml",
      logsDir: "/var/log/azmw",
      out: "r.html",
    },
  );
});

Deno.test("parseCostReportArgs() rejects bad input with std-style messages", async (t) => {
  const cases: [string[], string][] = [
    [
      ["--by", "team"],
      'Option "--by" expects one of "day", "model", "key", "project", "upstream", got "team"',
    ],
    [["--format", "pdf"], 'Option "--format" expects one of "table", "csv", "json", "html", got "pdf"'],
    [
      ["--from", "2026-11-01"],
      'Option "--from": Invalid day "2026-11-01": expected YYYYMMDD, e.g. "20261101"',
    ],
    [["--from", "20261130", "--to", "20261101"], 'Invalid day range: "20261130" is after "20261101"'],
    [["--frm", "x"], 'Unknown option "--frm"'],
    [["extra"], 'Unexpected argument "extra"'],
    [["--logs-dir="], 'Option "--logs-dir" needs a value'],
  ];
  for (const [argv, message] of cases) {
    await t.step(argv.join(" "), () => {
      assert.throws(
        () => parseCostReportArgs(argv),
        (err) => err instanceof UsageError && err.message === message,
      );
    });
  }
});

Deno.test("azmw cost report runs on log files alone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeDay(dir, "20261124", [logRecord({ cost_eur: 0.25 })]);
    await writeDay(dir, "20261125", [logRecord({ cost_eur: 0.5, model: "gpt-4o" })]);
    const io = fakeIo();
    const code = await main(
      [
        "cost",
        "report",
        "--from",
        "20261124",
        "--to",
        "20261125",
        "--by",
        "model",
        "--format",
        "json",
        "--logs-dir",
        dir,
      ],
      io,
    );
    assert.equal(code, 0, io.err);
    const report = JSON.parse(io.out);
    assert.equal(report.total.cost_eur, 0.75);
    assert.deepEqual(report.rows.map((r: { key: string }) => r.key), ["gpt-4o", "m"]);
    const out = `${dir}/report.html`;
    const html = fakeIo();
    const args = parseCostReportArgs([
      "--from",
      "20261124",
      "--to",
      "20261125",
      "--format",
      "html",
      "--logs-dir",
      dir,
      "-o",
      out,
    ]);
    assert.equal(await costReportCommand.run(args, html), 0);
    assert.match(await Deno.readTextFile(out), /<svg /);
    assert.match(html.err, /Wrote the html report to /);
    const none = fakeIo();
    assert.equal(
      await main(["cost", "report", "--from", "20250101", "--to", "20250102", "--logs-dir", dir], none),
      1,
    );
    assert.equal(none.err, `azmw cost report: No request logs from 20250101 to 20250102 in "${dir}"\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("azmw cost report --help describes itself; bad options exit 2 (subprocess)", async () => {
  const help = await runAzmw(["cost", "report", "--help"]);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Report spend, tokens and requests/);
  assert.match(help.stdout, /Usage: azmw cost report \[--from YYYYMMDD\]/);
  assert.match(help.stdout, /--format FMT/);
  const bad = await runAzmw(["cost", "report", "--by", "team"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^azmw cost report: Option "--by" expects one of/);
});

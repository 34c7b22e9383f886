import assert from "node:assert/strict";
import { logsTailCommand } from "../../src/cli/logs.ts";
import { summaryLine } from "../../src/cli/logs_tail.ts";
import { logRecordOf } from "../../src/logs/record.ts";
import { openRequestLog } from "../../src/logs/request_log.ts";
import { printable, printableJson } from "../../src/printable.ts";
import { fakeIo } from "../_helpers/cli.ts";
import { callRecord, logConfig } from "./_util.ts";

const HOSTILE = "gpt\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e";
// deno-lint-ignore no-control-regex -- these control characters are what is checked for
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/;

Deno.test("summaryLine() shows caller-chosen text with its control characters escaped", () => {
  const line = summaryLine(logRecordOf(
    callRecord({
      model: HOSTILE,
      caller: { keyId: "k\x1b[31m", project: "p\r\nFAKE LINE", tokenId: null },
      status: 404,
      error: { type: "not_found_error", code: "c", message: `The model "${HOSTILE}" does not exist` },
    }),
    "gw",
  ));
  assert.doesNotMatch(line, UNSAFE);
  assert.ok(line.includes("gpt\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202e"), line);
  assert.ok(line.includes("k\\x1b[31m/p\\x0d\\x0aFAKE LINE"), line);
});

Deno.test("logs tail prints hostile records without raw escapes, in text and JSON", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const log = await openRequestLog(logConfig(dir, { bodies: false }));
    log.sink(callRecord({ id: "h", ts: new Date().toISOString(), model: HOSTILE }));
    await log.close();
    for (const args of [["--dir", dir, "--data-dir", dir], ["--json", "--dir", dir, "--data-dir", dir]]) {
      const io = fakeIo();
      assert.equal(await logsTailCommand.run(logsTailCommand.parseArgs(args), io), 0);
      assert.doesNotMatch(io.out.trimEnd(), UNSAFE, args.join(" "));
      if (args[0] === "--json") assert.equal(JSON.parse(io.out).model, HOSTILE);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("printable() and printableJson() escape controls and bidi overrides only", () => {
  assert.equal(printable("a\tb\u2066c é 日本"), "a\\x09b\\u2066c é 日本");
  assert.equal(printableJson(JSON.stringify("\x9b\x7f\u202e")), '"\\u009b\\u007f\\u202e"');
  assert.equal(JSON.parse(printableJson(JSON.stringify("\x9b\x7f\u202e"))), "\x9b\x7f\u202e");
});

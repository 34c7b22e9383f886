import assert from "node:assert/strict";
import { type LogMeta, scanCosts, scanFiles } from "../../src/cost/scan.ts";
import { readRecords } from "../../src/logs/reader.ts";
import { logRecord, TODAY, writeDay } from "./_util.ts";

const SEALED = {
  alg: "A256GCM" as const,
  kid: "k1",
  iv: "AAAA",
  ct: "QUJD".repeat(2000),
  gz: true,
  trunc: false,
};

Deno.test("scanFiles() reads the same metadata as the full reader, without touching bodies", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const records = [
      logRecord({ request: SEALED, response: SEALED }),
      logRecord({
        error: {
          type: "upstream_error",
          message: 'Upstream said ,"request":{"x"} and 💥 ' + "ü".repeat(3000),
        },
        cost_eur: null,
      }),
      logRecord({
        caller: { key_id: "k}{", project: "we{ird}", token_id: null },
        request: SEALED,
        response: null,
      }),
      logRecord({ model: "mödel-ß", usage: null, cost_eur: 0 }),
    ];
    // Small enough to be read in one chunk, big enough to cross lines over many windows.
    const path = await writeDay(dir, TODAY, [...records, ...records, ...records]);
    const full: LogMeta[] = [];
    for await (const { record } of readRecords([path], () => {})) {
      const { request: _q, response: _r, ...meta } = record;
      full.push(meta);
    }
    const fast: LogMeta[] = [];
    const stats = await scanFiles([path], (m) => fast.push(m));
    assert.deepEqual(fast, full);
    assert.equal(stats.records, 12);
    assert.equal(stats.bytes, (await Deno.stat(path)).size);
    const costs: [string, number | LogMeta][] = [];
    await scanCosts([path], (caller, cost) => costs.push([caller, cost]));
    assert.deepEqual(costs.map(([c]) => JSON.parse(c)), full.map((m) => m.caller));
    assert.deepEqual(
      costs.map(([, c]) => (typeof c === "number" ? c : c.cost_eur)),
      full.map((m) => m.cost_eur),
    );
    assert.ok(typeof costs[2]![1] !== "number", "a caller with braces takes the slow path");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("scanFiles() skips junk and torn lines with a warning and reads lines longer than a chunk", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const huge = { ...SEALED, ct: "A".repeat(5 * 1024 * 1024) };
    const path = await writeDay(dir, TODAY, [logRecord({ request: huge, response: huge })], {
      tail: 'not json\n{"v":2,"id":"x","ts":"y"}\n\n{"v":1,"id":"torn","ts":"2026',
    });
    const warnings: string[] = [];
    const seen: LogMeta[] = [];
    const stats = await scanFiles([path], (m) => seen.push(m), { warn: (m) => warnings.push(m) });
    assert.equal(seen.length, 1);
    assert.equal(stats.skipped, 3);
    assert.deepEqual(warnings.map((w) => w.replace(path, "F")), [
      "Skipped line 2 of F: not valid JSON",
      "Skipped line 3 of F: not a log record",
      "Skipped a torn last line, line 5 of F: not valid JSON",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

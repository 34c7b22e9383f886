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

Deno.test("scanFiles() counts a stream once: its started entry is closed by its record, or reported alone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const started = (id: string, reserved: number | null) => ({
      v: 1,
      started: true,
      id,
      ts: "2026-11-25T10:00:00.000Z",
      instance: "t",
      caller: { key_id: "dev", project: "demo", token_id: null },
      model: "m",
      upstream: "u",
      deployment: "m",
      reserved_eur: reserved,
    });
    const lines = [
      started("a", 0.5),
      started("b", 0.25),
      logRecord({ id: "a", stream: true, cost_eur: 0.1 }),
      logRecord({ id: "c", cost_eur: 0.2 }),
      started("d", null),
    ].map((l) => JSON.stringify(l) + "\n");
    await Deno.mkdir(`${dir}/${TODAY}`, { recursive: true });
    const first = `${dir}/${TODAY}/requests-t.jsonl`;
    const second = `${dir}/${TODAY}/requests-t.1.jsonl`;
    await Deno.writeTextFile(first, lines.join(""));
    // The record of "d" went to the next rotated file.
    await Deno.writeTextFile(second, JSON.stringify(logRecord({ id: "d", cost_eur: 0.05 })) + "\n");

    const metas: LogMeta[] = [];
    const warnings: string[] = [];
    const stats = await scanFiles([first, second], (m) => metas.push(m), { warn: (m) => warnings.push(m) });
    assert.equal(warnings.length, 0);
    assert.deepEqual(metas.map((m) => [m.id, m.cost_eur]), [["a", 0.1], ["c", 0.2], ["d", 0.05], [
      "b",
      0.25,
    ]]);
    assert.deepEqual([stats.records, stats.unclosed, stats.skipped], [4, 1, 0]);
    assert.equal(metas[3]!.error?.type, "interrupted");
    assert.deepEqual(metas[3]!.caller, { key_id: "dev", project: "demo", token_id: null });

    const costs: [string, number | LogMeta][] = [];
    const fast = await scanCosts([first, second], (caller, cost) => costs.push([caller, cost]));
    assert.deepEqual(costs.map(([, c]) => (typeof c === "number" ? c : c.cost_eur)), [0.1, 0.2, 0.05, 0.25]);
    assert.deepEqual(JSON.parse(costs[3]![0]), { key_id: "dev", project: "demo", token_id: null });
    assert.deepEqual([fast.records, fast.unclosed], [4, 1]);

    const read: string[] = [];
    for await (const { record } of readRecords([first, second], (m) => warnings.push(m))) {
      read.push(record.id);
    }
    assert.deepEqual(read, ["a", "c", "d"], "readers skip started entries");
    assert.equal(warnings.length, 0);

    // A torn started entry is skipped with a warning like any torn line.
    await Deno.writeTextFile(second, '{"v":1,"started":true,"id":"e","ts', { append: true });
    const torn = await scanCosts([first, second], () => {}, { warn: (m) => warnings.push(m) });
    assert.equal(torn.skipped, 1);
    assert.match(warnings[0]!, /torn last line/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("scanCosts() with recent hands over the window's calls, looking only at chunks that may hold them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const now = Date.UTC(2026, 10, 25, 15);
    const since = now - 60_000;
    // Ten hours of calls, one every 2 s (~6 MB with the padding): more than one 4 MB chunk.
    const records = Array.from({ length: 18_000 }, (_, i) => {
      const end = now - (18_000 - i) * 2_000 + 1_000;
      return logRecord({
        id: `r${i}`,
        ts: new Date(end - 500).toISOString(),
        latency_ms: 500,
        model: "m".repeat(200),
        cost_eur: 0.001,
      });
    });
    // A record the writer could not have put there (files are in end order): its chunk is never looked at.
    records[100] = { ...records[100]!, id: "misplaced", ts: new Date(now - 1_000).toISOString() };
    // One long call ends last: it started before the window, its end is in it.
    records.push(logRecord({ id: "long", ts: new Date(now - 300_000).toISOString(), latency_ms: 299_000 }));
    const path = await writeDay(dir, TODAY, records, {
      tail: JSON.stringify({
        v: 1,
        started: true,
        id: "open",
        ts: new Date(now - 2_000).toISOString(),
        instance: "t",
        caller: { key_id: "dev", project: "demo", token_id: null },
        model: "m",
        upstream: "u",
        deployment: "m",
        reserved_eur: 0.5,
      }) + "\n",
    });
    assert.ok((await Deno.stat(path)).size > 5 * 1024 * 1024);

    const handed: LogMeta[] = [];
    let costs = 0;
    const stats = await scanCosts([path], () => costs++, {
      recent: { since, onCall: (m) => handed.push(m) },
    });
    assert.equal(costs, 18_002);
    assert.equal(stats.records, 18_002);
    const ends = (m: LogMeta) => Date.parse(m.ts) + m.latency_ms;
    const wanted = records.filter((r) => ends(r) > since && r.id !== "misplaced").map((r) => r.id);
    assert.equal(wanted.length, 31);
    assert.ok(!handed.some((m) => m.id === "misplaced"));
    const ids = handed.map((m) => m.id);
    for (const id of [...wanted, "open"]) assert.ok(ids.includes(id), id);
    assert.equal(handed.length, wanted.length + 1, ids.join());
    assert.equal(handed.find((m) => m.id === "open")?.error?.type, "interrupted");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

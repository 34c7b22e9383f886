/**
 * Times the start-up spend rebuild from PostgreSQL (`call_records`, every replica's records) against the
 * start-up target of under 1 s: ships `--records` synthetic records of a day (sealed bodies of ~1 KB each,
 * 50 callers, one in `--unpriced` without a cost) into a fresh database, then reads the day's spend as the
 * rebuild does, `--runs` times, and once as `azmw cost report` does (every record's metadata).
 *
 *   deno run -A scripts/bench_pg_rebuild.ts [--records 100000] [--unpriced 100] [--runs 3]
 *     [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
 */
import { scriptArgs } from "./_args.ts";
import postgres from "postgres";
import type { LogRecord } from "../src/logs/record.ts";
import { CallRecordTable } from "../src/cost/call_records.ts";
import { openPostgresPool } from "../src/store/postgres_open.ts";
import { migratePostgres } from "../src/store/postgres_schema.ts";

const { values } = scriptArgs({
  options: {
    records: { type: "string", default: "100000" },
    unpriced: { type: "string", default: "100" },
    runs: { type: "string", default: "3" },
    "admin-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432/postgres" },
  },
});
const RECORDS = Number(values.records);
const UNPRICED = Number(values.unpriced);
const DAY = "20261125";
const adminUrl = values["admin-url"]!;
const name = `azmw_bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${name}`);
const sql = await openPostgresPool(adminUrl.replace(/\/[^/]*$/, `/${name}`), { max: 2 });
try {
  await migratePostgres(sql);
  const table = new CallRecordTable(sql);
  // Sealed bodies are random to a compressor: so are these.
  const sealed = () => ({
    kid: "k1",
    iv: "AAAAAAAAAAAAAAAA",
    ct: btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(750)))),
  });
  const record = (i: number): LogRecord => ({
    v: 1,
    id: crypto.randomUUID(),
    ts: "2026-11-25T12:00:00.000Z",
    instance: `r${i % 3}`,
    caller: { key_id: `key_${i % 50}`, project: `p${i % 5}`, token_id: null },
    dialect: "openai",
    operation: "chat",
    model: "gpt-4o-mini",
    upstream: "u",
    deployment: "gpt-4o-mini",
    status: 200,
    stream: false,
    attempts: 1,
    latency_ms: 10,
    ttfb_ms: 5,
    usage: {
      prompt_tokens: 10,
      completion_tokens: 5,
      cached_tokens: 0,
      reasoning_tokens: 0,
      total_tokens: 15,
    },
    usage_source: "upstream",
    cost_eur: i % UNPRICED === 0 ? null : 0.000015,
    error: null,
    request: sealed() as never,
    response: sealed() as never,
  });
  const started = performance.now();
  for (let b = 0; b * 1000 < RECORDS; b++) {
    const records = Array.from(
      { length: Math.min(1000, RECORDS - b * 1000) },
      (_, i) => record(b * 1000 + i),
    );
    await table.ship(
      { instance: "r0", file: `f${b}`, day: DAY, offset: 1, records, started: [] },
      Date.now(),
    );
  }
  const loaded = performance.now() - started;
  const [size] = await sql`SELECT pg_total_relation_size('call_records')::bigint AS bytes,
    pg_relation_size('call_records')::bigint AS heap`;
  const bytes = Number(size!.bytes);
  const heap = Number(size!.heap);
  console.log(
    `${RECORDS} records shipped in ${(loaded / 1000).toFixed(1)} s (${
      Math.round(RECORDS / (loaded / 1000))
    } records/s, batches of 1000); call_records: ${
      (Number(bytes) / 2 ** 20).toFixed(0)
    } MiB, of which the rows (bodies apart) ${(Number(heap) / 2 ** 20).toFixed(0)} MiB`,
  );
  for (let run = 0; run < Number(values.runs); run++) {
    const t0 = performance.now();
    let callers = 0;
    const stats = await table.spendOfDay(DAY, () => callers++);
    console.log(
      `rebuild read: ${stats.records} records of ${stats.files} replicas, ${callers} caller groups and ` +
        `unpriced records, in ${(performance.now() - t0).toFixed(0)} ms`,
    );
  }
  const t1 = performance.now();
  const report = await table.scanDay(DAY, () => {});
  console.log(
    `cost report read (every record's metadata from the JSON): ${report.records} records in ${
      (performance.now() - t1).toFixed(0)
    } ms`,
  );
} finally {
  await sql.end();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

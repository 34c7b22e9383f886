/**
 * Times the start-up rebuild of today's spend from today's request logs (target: 100 MB in under 1 s).
 *
 * Generates a day folder of realistic log lines — two instances, plain metadata, sealed request and
 * response fields of typical sizes (or metadata only with `--no-bodies`), one in ten records without
 * `cost_eur` so they are priced from their usage — then rebuilds the ledger and checks the total.
 *
 *   deno run -A scripts/bench_ledger_rebuild.ts [--mb 100] [--runs 5] [--no-bodies] [--keep]
 */
import { scriptArgs } from "./_args.ts";
import { validateConfig } from "../src/config/schema.ts";
import { createCostControl } from "../src/cost/mod.ts";
import { loggedCost } from "../src/cost/record_cost.ts";
import { PriceTable } from "../src/cost/pricing.ts";
import type { LogRecord } from "../src/logs/record.ts";

const { values } = scriptArgs({
  options: {
    mb: { type: "string", default: "100" },
    runs: { type: "string", default: "5" },
    "no-bodies": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});
const targetBytes = Number(values.mb) * 1024 * 1024;
const bodies = !values["no-bodies"];
const NOW = Date.UTC(2026, 10, 25, 15, 0, 0);
const DAY = "20261125";

const MODELS = ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "o4-mini", "text-embedding-3-small", "claude-sonnet-4-5"];
const PROJECTS = ["demo", "search", "support", null];

let seed = 42;
function rand(): number {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
function b64(bytes: number): string {
  let s = "";
  for (let i = 0; i < Math.ceil(bytes / 3) * 4; i++) s += B64[Math.floor(rand() * 64)];
  return s;
}
/** Sealed fields reuse a few random strings: generation stays fast, sizes stay realistic. */
const POOL = Array.from({ length: 64 }, (_, i) => b64(200 + i * 90));

function sealed(bytes: number) {
  const ct = POOL[Math.min(POOL.length - 1, Math.floor(bytes / 90))]!;
  return { alg: "A256GCM", kid: "k1a2b3c4d", iv: b64(12), ct, gz: true, trunc: false };
}

function record(i: number): LogRecord {
  const model = pick(MODELS);
  const embeddings = model.startsWith("text-embedding");
  const prompt = Math.floor(50 + rand() * 4000);
  const cached = rand() < 0.3 ? Math.floor(prompt * 0.5) : 0;
  const completion = embeddings ? 0 : Math.floor(rand() * 800);
  const reasoning = model === "o4-mini" ? Math.floor(completion * 0.6) : 0;
  const project = pick(PROJECTS);
  const failed = rand() < 0.03;
  const ts = new Date(NOW - Math.floor(rand() * 14 * 3600_000)).toISOString();
  return {
    v: 1,
    id: `req_${i.toString(36).padStart(10, "0")}${b64(6)}`,
    ts,
    instance: "",
    caller: { key_id: `key_${Math.floor(rand() * 40)}`, project, token_id: null },
    dialect: pick(["openai", "azure", "anthropic"]),
    operation: embeddings ? "embeddings" : pick(["chat", "responses", "messages"]),
    model,
    upstream: pick(["azure-main", "openai", "anthropic"]),
    deployment: `${model}-prod`,
    status: failed ? 502 : 200,
    stream: rand() < 0.5,
    attempts: 1,
    latency_ms: Math.round(rand() * 5000 * 1000) / 1000,
    ttfb_ms: Math.round(rand() * 800 * 1000) / 1000,
    usage: failed ? null : {
      prompt_tokens: prompt,
      completion_tokens: completion,
      cached_tokens: cached,
      reasoning_tokens: reasoning,
      total_tokens: prompt + completion,
    },
    usage_source: failed ? null : "upstream",
    cost_eur: failed ? 0 : rand() < 0.1 ? null : Math.round(rand() * 0.05 * 1e9) / 1e9,
    error: failed ? { type: "upstream_error", message: 'Upstream "azure-main" answered 502' } : null,
    request: bodies ? sealed(Math.floor(300 + rand() * 5000)) as LogRecord["request"] : null,
    response: bodies && !failed ? sealed(Math.floor(200 + rand() * 2500)) as LogRecord["response"] : null,
  };
}

async function generate(
  dir: string,
): Promise<{ bytes: number; records: number; expected: Map<string, number> }> {
  await Deno.mkdir(`${dir}/${DAY}`, { recursive: true });
  const prices = new PriceTable(undefined);
  const expected = new Map<string, number>();
  const enc = new TextEncoder();
  let bytes = 0;
  let records = 0;
  for (const instance of ["gw-1", "gw-2"]) {
    const file = await Deno.open(`${dir}/${DAY}/requests-${instance}.jsonl`, { write: true, create: true });
    const w = file.writable.getWriter();
    let batch = "";
    while (bytes < (targetBytes * (instance === "gw-1" ? 1 : 2)) / 2) {
      const r = { ...record(records++), instance };
      const line = `${JSON.stringify(r)}\n`;
      batch += line;
      bytes += line.length;
      const scope = r.caller.project === null ? "global-only" : `project:${r.caller.project}`;
      expected.set(scope, (expected.get(scope) ?? 0) + loggedCost(r, prices).eur);
      if (batch.length > 1 << 20) {
        await w.write(enc.encode(batch));
        batch = "";
      }
    }
    await w.write(enc.encode(batch));
    await w.close();
  }
  return { bytes, records, expected };
}

const dir = await Deno.makeTempDir({ prefix: "azmw-ledger-bench-" });
try {
  const t0 = performance.now();
  const gen = await generate(dir);
  const genMs = performance.now() - t0;
  console.log(
    `Generated ${(gen.bytes / 1024 / 1024).toFixed(1)} MiB, ${gen.records} records ` +
      `(${bodies ? "sealed bodies" : "metadata only"}, avg ${Math.round(gen.bytes / gen.records)} B/line) ` +
      `in ${(genMs / 1000).toFixed(1)} s`,
  );
  const config = validateConfig(
    {
      upstreams: [{ name: "u", kind: "openai", deployments: ["m"] }],
    },
    "bench",
    { hostname: () => "bench" },
  );
  const times: number[] = [];
  for (let run = 0; run < Number(values.runs); run++) {
    const control = createCostControl(config, { now: () => NOW, tokenizer: false });
    const t = performance.now();
    const stats = await control.rebuild(dir);
    const ms = performance.now() - t;
    times.push(ms);
    for (const [scope, eur] of gen.expected) {
      if (scope === "global-only") continue;
      const got = control.spendToday(scope);
      if (Math.abs(got - eur) > 1e-6) throw new Error(`Spend of ${scope} is ${got}, expected ${eur}`);
    }
    console.log(
      `run ${run + 1}: ${ms.toFixed(0)} ms, ${stats.records} records, ${stats.repriced} repriced, ` +
        `€${stats.eur.toFixed(2)} booked, ${(stats.bytes / 1024 / 1024 / (ms / 1000)).toFixed(0)} MiB/s`,
    );
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(`median ${median.toFixed(0)} ms, best ${times[0]!.toFixed(0)} ms (target < 1000 ms)`);
} finally {
  if (values.keep) console.log(`Kept ${dir}`);
  else await Deno.remove(dir, { recursive: true });
}

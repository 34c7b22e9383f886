/**
 * Request-log writer benchmark: records per second sealed (redact + gzip + AES-GCM) and written, and the
 * cost of `sink()` on the request path.
 *
 *   npx -y deno@2.9.6 run -A scripts/bench_log_writer.ts [--records 20000] [--body 1500]
 *
 * With `--ab DIR` it compares this checkout's request log with the one in `DIR/src` (for instance
 * `git archive <commit> src | tar -x -C DIR`), both open in one process and fed in turns, and prints the
 * CPU time per record of the gateway thread (`sink()` and the posts), of each log thread and of the whole
 * process, medians over the rounds and of the per-round ratios (see `scripts/bench_log_ab.ts`):
 *
 *   npx -y deno@2.9.6 run -A scripts/bench_log_writer.ts --ab /tmp/azmw-base [--rounds 7] [--paced 1500] \
 *     [--every 1.1] [--records 3000]
 */
import { scriptArgs } from "./_args.ts";
import { validateConfig } from "../src/config/schema.ts";
import type { Config, LogsConfig } from "../src/config/types.ts";
import { generateKeyText } from "../src/logs/keyring.ts";
import { openRequestLog } from "../src/logs/request_log.ts";
import type { CallRecord } from "../src/core/record.ts";
import { abRounds } from "./bench_log_ab.ts";

const { values } = scriptArgs({
  options: {
    records: { type: "string", default: "20000" },
    body: { type: "string", default: "1500" },
    ab: { type: "string" },
    rounds: { type: "string", default: "7" },
    paced: { type: "string", default: "1500" },
    every: { type: "string", default: "1.1" },
  },
});
const N = Number(values.records);
const BODY = Number(values.body);
const enc = new TextEncoder();
const WORDS = "the gateway seals every body with a fresh nonce before it reaches the disk".split(" ");

function text(bytes: number, seed: number): string {
  let out = "";
  for (let i = seed; out.length < bytes; i++) out += WORDS[(i * 7) % WORDS.length] + " ";
  return out.slice(0, bytes);
}

function record(i: number): CallRecord {
  const stream = i % 4 === 0;
  const content = text(BODY * 0.6, i);
  return {
    id: crypto.randomUUID(),
    ts: new Date().toISOString(),
    caller: { keyId: "dev", project: "demo", tokenId: null },
    dialect: "openai",
    operation: "chat",
    model: "gpt-4o",
    upstream: "azure-main",
    deployment: "gpt-4o-prod",
    status: 200,
    stream,
    attempts: 1,
    latencyMs: 812.25,
    ttfbMs: 210.5,
    usage: {
      promptTokens: 420,
      completionTokens: 180,
      cachedTokens: 0,
      reasoningTokens: 0,
      totalTokens: 600,
      cacheWriteTokens: 0,
    },
    usageSource: "upstream",
    error: null,
    requestBody: enc.encode(JSON.stringify({
      model: "gpt-4o",
      stream,
      messages: [{ role: "system", content: text(BODY * 0.3, i + 1) }, {
        role: "user",
        content: `${content} mail me at jane.doe@example.com`,
      }],
    })),
    responseBody: stream ? null : enc.encode(JSON.stringify({
      id: "chatcmpl-1",
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
      usage: { prompt_tokens: 420, completion_tokens: 180, total_tokens: 600 },
    })),
    assembled: stream ? { content, toolCalls: [], finishReason: "stop", events: 40 } : null,
  };
}

function config(dir: string, logs: Partial<LogsConfig>): Config {
  // Built through the validator so every other section gets its defaults.
  const upstream = {
    name: "u",
    kind: "azure",
    endpoint: "https://x.example",
    auth: { type: "api_key", key: "env:U" },
  };
  const base = validateConfig({
    server: { instance: "bench" },
    upstreams: [{ ...upstream, deployments: ["d"] }],
  }, "bench");
  return { ...base, logs: { ...base.logs, dir, queueSize: N + 1, queueBytes: 2 ** 40, ...logs } };
}

async function run(label: string, logs: Partial<LogsConfig>) {
  const dir = await Deno.makeTempDir({ prefix: "azmw-bench-" });
  const key = generateKeyText();
  const log = await openRequestLog(config(dir, logs), {
    env: (n) => n === "K" ? key : undefined,
    warn: () => {},
  });
  const records = Array.from({ length: N }, (_, i) => record(i));
  // What the request path feels: the longest gap between 1 ms ticks while the writer works.
  let last = performance.now();
  let stall = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 1);
  const t0 = performance.now();
  for (const r of records) log.sink(r);
  const t1 = performance.now();
  last = t1;
  await log.close();
  const t2 = performance.now();
  clearInterval(ticker);
  const s = log.stats();
  if (s.written !== N) throw new Error(`${label}: wrote ${s.written} of ${N} records (dropped ${s.dropped})`);
  await Deno.remove(dir, { recursive: true });
  const secs = (t2 - t0) / 1000;
  console.log(
    `${label.padEnd(34)} ${Math.round(N / secs).toLocaleString("en-US").padStart(8)} records/s  ` +
      `${(s.bytes / secs / 1e6).toFixed(1).padStart(6)} MB/s written  ` +
      `${(s.bytes / N).toFixed(0).padStart(5)} B/record  sink() ${
        ((t1 - t0) * 1e6 / N).toFixed(0).padStart(3)
      } ns/record  ` +
      `longest loop stall ${stall.toFixed(1)} ms`,
  );
}

if (values.ab !== undefined) {
  await abRounds({
    dir: values.ab,
    rounds: Number(values.rounds),
    paced: Number(values.paced),
    every: Number(values.every),
    burst: N,
    config: (dir) => config(dir, { keys: [{ key: "env:K" }] }),
    record,
  });
  Deno.exit(0);
}

console.log(
  `azmw request-log writer: ${N} records, ~${BODY} B request bodies, 1 in 4 streamed (Deno ${Deno.version.deno})`,
);
const sealed = { keys: [{ key: "env:K" }] };
await run("sealed, default batch 256", sealed);
await run("sealed, batch 64", { ...sealed, batchSize: 64 });
await run("sealed, fsync after every flush", { ...sealed, fsyncIntervalMs: 0 });
await run("sealed, no redaction patterns", { ...sealed, redact: { builtin: [], rules: [], dropPaths: [] } });
await run("metadata only (bodies: false)", { bodies: false });

/** Steady load as a gateway sees it: `rate` records/s for 2 s, arriving every ms; reports tick lateness. */
async function steady(rate: number, logging = true) {
  const dir = await Deno.makeTempDir({ prefix: "azmw-bench-" });
  const key = generateKeyText();
  const log = logging
    ? await openRequestLog(config(dir, sealed), { env: (n) => n === "K" ? key : undefined, warn: () => {} })
    : { sink: () => {}, close: () => Promise.resolve(), stats: () => ({ written: sent, dropped: 0 }) };
  const perTick = rate / 1000;
  const lateness: number[] = [];
  let sent = 0;
  const start = performance.now();
  let expected = start;
  while (performance.now() - start < 2000) {
    await new Promise<void>((r) => setTimeout(r, 1));
    const now = performance.now();
    lateness.push(Math.max(0, now - expected - 1));
    expected = now;
    const due = Math.floor(((now - start) / 1000) * rate);
    while (sent < due) log.sink(record(sent++));
  }
  await log.close();
  await Deno.remove(dir, { recursive: true });
  lateness.sort((a, b) => a - b);
  const q = (p: number) =>
    lateness[Math.min(lateness.length - 1, Math.floor(p * lateness.length))]!.toFixed(2);
  console.log(
    `steady ${rate.toLocaleString("en-US")} records/s (${perTick.toFixed(0)}/ms), ${
      logging ? "sealed" : "no log"
    }: ` +
      `event-loop lateness ` +
      `p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${
        q(1)
      } ms; written ${log.stats().written}, dropped ${log.stats().dropped}`,
  );
}

await steady(1_000, false);
await steady(1_000);
await steady(4_000, false);
await steady(4_000);

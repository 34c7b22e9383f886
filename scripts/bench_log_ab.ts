/**
 * A/B rounds for `bench_log_writer.ts --ab DIR`: this checkout's request log against the one in `DIR/src`,
 * alternating in one process so both see the same machine load. Each run opens a log, feeds it records and
 * waits until the log thread reports them all written; CPU time comes from `/proc/self/task/<tid>/schedstat`
 * (the gateway thread and the log thread, in ns) and `process.cpuUsage()` (the whole process).
 *
 * Lanes: "paced" posts one gateway-like call per timer tick (the overhead bench's 97-byte chat request, a
 * ~450-byte answer; 1 in 4 streamed, with its started entry), as a gateway at c=1 does; "burst" sinks
 * records with bodies of `--body` bytes in one loop (batches of 256). "paced, no log" is the floor of the
 * paced loop itself.
 */
import process from "node:process";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import type { Config } from "../src/config/types.ts";
import type { CallRecord, CallSink } from "../src/core/record.ts";
import { generateKeyText } from "../src/logs/keyring.ts";
import { openRequestLog } from "../src/logs/request_log.ts";

type Open = typeof openRequestLog;

/** What the rounds need from the benchmark script. */
export interface AbOptions {
  /** Folder holding the other checkout's `src/`. */
  dir: string;
  rounds: number;
  /** Records of the paced lane. */
  paced: number;
  /** Records of the burst lane. */
  burst: number;
  /** A config whose sealed log goes to `dir` (its key is `env:K`). */
  config: (dir: string) => Config;
  /** A record with bodies of the benchmark's size. */
  record: (i: number) => CallRecord;
}

/** CPU time in µs: the gateway (main) thread, the given threads, and the process. */
function cpu(tids: string[]): { main: number; logs: number[]; all: number } {
  const sched = (tid: string) =>
    Number(Deno.readTextFileSync(`/proc/self/task/${tid}/schedstat`).split(" ")[0]) / 1000;
  const u = process.cpuUsage();
  return { main: sched(String(Deno.pid)), logs: tids.map(sched), all: u.user + u.system };
}

/** Ids of the worker threads now running. */
function workerThreads(): Set<string> {
  const out = new Set<string>();
  for (const e of Deno.readDirSync("/proc/self/task")) {
    try {
      if (Deno.readTextFileSync(`/proc/self/task/${e.name}/comm`).startsWith("worker-")) out.add(e.name);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

const enc = new TextEncoder();
const SMALL_REQUEST = enc.encode(
  JSON.stringify({
    model: "gpt-4o",
    messages: [{ role: "user", content: "Say hello in one short sentence." }],
  }),
);
const SMALL_ANSWER = enc.encode(JSON.stringify({
  id: "chatcmpl-mock-0001",
  object: "chat.completion",
  created: 1764000000,
  model: "gpt-4o",
  choices: [{
    index: 0,
    message: { role: "assistant", content: "Hello! How can I help you today?", refusal: null },
    logprobs: null,
    finish_reason: "stop",
  }],
  usage: {
    prompt_tokens: 14,
    completion_tokens: 9,
    total_tokens: 23,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  },
  service_tier: "default",
  system_fingerprint: "fp_mock",
}));

/** A call as the overhead bench makes it: small bodies, 1 in 4 streamed. */
function smallRecord(i: number, base: CallRecord): CallRecord {
  const stream = i % 4 === 0;
  return {
    ...base,
    id: crypto.randomUUID(),
    stream,
    requestBody: SMALL_REQUEST,
    responseBody: stream ? null : SMALL_ANSWER,
    assembled: stream
      ? { content: "Hello! How can I help you today?", toolCalls: [], finishReason: "stop", events: 12 }
      : null,
  };
}

interface Run {
  main: number;
  /** Each log's thread, in the order of the logs. */
  logs: number[];
  all: number;
}

/**
 * One run of a lane with the given request logs (none: the paced loop alone). With two, each record goes to
 * both, in turns which first, so their threads are measured side by side under the same load.
 */
async function runOnce(opens: Open[], lane: "paced" | "burst", o: AbOptions): Promise<Run> {
  const dirs: string[] = [];
  const logs: Awaited<ReturnType<Open>>[] = [];
  const tids: string[] = [];
  for (const open of opens) {
    const dir = await Deno.makeTempDir({ prefix: "azmw-bench-" });
    const key = generateKeyText();
    const before = workerThreads();
    logs.push(
      await open(o.config(dir), { env: (n) => n === "K" ? key : undefined, warn: (m) => console.error(m) }),
    );
    const tid = [...workerThreads()].find((t) => !before.has(t));
    if (tid === undefined) throw new Error("cannot find the log thread");
    dirs.push(dir);
    tids.push(tid);
  }
  const n = lane === "paced" ? o.paced : o.burst;
  const records = Array.from(
    { length: n },
    (_, i) => lane === "paced" ? smallRecord(i, o.record(i)) : o.record(i),
  );
  const sinks: CallSink[] = logs.map((l) => l.sink);
  const each = (i: number, f: (s: CallSink) => void) => {
    for (let k = 0; k < sinks.length; k++) f(sinks[(i + k) % sinks.length]!);
  };
  let lines = 0;
  const c0 = cpu(tids);
  if (lane === "paced") {
    for (const [i, r] of records.entries()) {
      if (r.stream) {
        each(i, (s) => s.started?.(r, 0.01));
        lines++;
      }
      await new Promise((res) => setTimeout(res, 1));
      each(i, (s) => s(r));
      lines++;
    }
  } else {
    for (const [i, r] of records.entries()) each(i, (s) => s(r));
    lines = records.length;
  }
  for (const log of logs) {
    while (log.stats().written < lines) {
      if (log.stats().dropped > 0) throw new Error(`dropped ${log.stats().dropped} records`);
      await new Promise((res) => setTimeout(res, 2));
    }
  }
  const c1 = cpu(tids);
  for (const log of logs) await log.close();
  for (const dir of dirs) await Deno.remove(dir, { recursive: true });
  return {
    main: (c1.main - c0.main) / n,
    logs: c1.logs.map((t, i) => (t - c0.logs[i]!) / n),
    all: (c1.all - c0.all) / n,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Runs the A/B rounds and prints per-record medians (and each round's figures). */
export async function abRounds(o: AbOptions): Promise<void> {
  const url = pathToFileURL(resolve(o.dir, "src/logs/request_log.ts")).href;
  const base = (await import(url)).openRequestLog as Open;
  const variants: [string, Open][] = [["this", openRequestLog], ["base", base]];
  const results = new Map<string, number[][]>();
  const add = (k: string, ...v: number[]) => results.set(k, [...results.get(k) ?? [], v]);
  console.log(
    `A/B: this checkout vs ${o.dir}; ${o.rounds} rounds; paced ${o.paced}, burst ${o.burst} records ` +
      `(Deno ${Deno.version.deno})`,
  );
  for (let round = 0; round < o.rounds; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const lane of ["paced", "burst"] as const) {
      for (const [label, open] of order) {
        const r = await runOnce([open], lane, o);
        add(`${lane}|${label}`, r.main, r.logs[0]!, r.all);
      }
      // Both at once: their log threads side by side.
      const pair = await runOnce(order.map(([, open]) => open), lane, o);
      for (const [i, [label]] of order.entries()) add(`${lane} pair|${label}`, NaN, pair.logs[i]!, NaN);
    }
    const floor = await runOnce([], "paced", o);
    add("paced|no log", floor.main, 0, floor.all);
    console.log(
      `round ${round + 1}: ` +
        [...results].map(([k, rs]) => `${k} ${rs.at(-1)!.map((x) => x.toFixed(0)).join("/")}`).join(", "),
    );
  }
  console.log("\nmedian µs per record      gateway thread   log thread   process");
  for (const [k, rs] of results) {
    const f = (i: number) => median(rs.map((r) => r[i]!)).toFixed(1).padStart(10);
    console.log(`${k.padEnd(24)} ${f(0)}   ${f(1)}   ${f(2)}`);
  }
  for (const lane of ["paced", "burst"]) {
    const a = results.get(`${lane} pair|this`)!, b = results.get(`${lane} pair|base`)!;
    const ratios = a.map((r, i) => r[1]! / b[i]![1]!);
    console.log(
      `${lane} pair, log thread this/base per round: median ${median(ratios).toFixed(3)} ` +
        `(${ratios.map((x) => x.toFixed(2)).join(" ")})`,
    );
  }
}

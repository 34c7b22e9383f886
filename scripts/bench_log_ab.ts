/**
 * A/B rounds for `bench_log_writer.ts --ab DIR`: this checkout's request log against the one in `DIR/src`,
 * both open in one process and fed in turns, so both see the same machine load (the machine is shared, and
 * runs one after the other differ by more than the changes measured). CPU time comes from
 * `/proc/self/task/<tid>/schedstat` (the gateway thread and each log thread, in ns) and
 * `process.cpuUsage()` (the whole process).
 *
 * Lanes, per round:
 * - "paced": one gateway-like call every `--every` ms (default 1.1, a gateway's pace at c=1; the overhead
 *   bench's 97-byte chat request, a ~450-byte answer; 1 in 4 streamed, with its started entry), each
 *   arriving as a message that wakes the gateway thread, as a request would. Blocks of 50 calls
 *   go to this log, the other log or no log, in turns; the gateway thread's and the process's CPU of each
 *   block count for the log that got it, minus the no-log blocks' (the tick loop itself).
 * - "burst": records with bodies of `--body` bytes sunk in one loop into both logs (batches of 256); the
 *   gateway thread's share is the time spent in each log's `sink()` (the process's is not told apart).
 * Each log thread's CPU is its own thread's, over the whole lane.
 */
import process from "node:process";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import type { Config } from "../src/config/types.ts";
import type { CallRecord } from "../src/core/record.ts";
import { generateKeyText } from "../src/logs/keyring.ts";
import { openRequestLog, type RequestLog } from "../src/logs/request_log.ts";

type Open = typeof openRequestLog;

/** What the rounds need from the benchmark script. */
export interface AbOptions {
  /** Folder holding the other checkout's `src/`. */
  dir: string;
  rounds: number;
  /** Calls per log of the paced lane, per round. */
  paced: number;
  /** Milliseconds between calls of the paced lane. */
  every: number;
  /** Records per log of the burst lane, per round. */
  burst: number;
  /** A config whose sealed log goes to `dir` (its key is `env:K`). */
  config: (dir: string) => Config;
  /** A record with bodies of the benchmark's size. */
  record: (i: number) => CallRecord;
}

const sched = (tid: string) =>
  Number(Deno.readTextFileSync(`/proc/self/task/${tid}/schedstat`).split(" ")[0]) / 1000;
const MAIN = String(Deno.pid);
const processCpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

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

interface Opened {
  log: RequestLog;
  tid: string;
  dir: string;
  /** Lines it must have written (records and started entries). */
  lines: number;
}

async function openLog(open: Open, o: AbOptions): Promise<Opened> {
  const dir = await Deno.makeTempDir({ prefix: "azmw-bench-" });
  const key = generateKeyText();
  const before = workerThreads();
  const log = await open(o.config(dir), {
    env: (n) => n === "K" ? key : undefined,
    warn: (m) => console.error(m),
  });
  const tid = [...workerThreads()].find((t) => !before.has(t));
  if (tid === undefined) throw new Error("cannot find the log thread");
  return { log, tid, dir, lines: 0 };
}

/** Waits until each log has written all its lines, then closes it. */
async function finish(logs: Opened[]): Promise<void> {
  for (const l of logs) {
    while (l.log.stats().written < l.lines) {
      if (l.log.stats().dropped > 0) throw new Error(`dropped ${l.log.stats().dropped} records`);
      await new Promise((res) => setTimeout(res, 2));
    }
  }
}

async function close(logs: Opened[]): Promise<void> {
  for (const l of logs) {
    await l.log.close();
    await Deno.remove(l.dir, { recursive: true });
  }
}

/** Per record of each log: gateway thread, log thread, process (µs). */
type Row = [number, number, number];

const BLOCK = 50;

/** A thread that sends a message every `every` ms (`Atomics.wait` keeps time better than timers). */
const PACER = `self.onmessage = (e) => {
  const ctl = new Int32Array(e.data.sab);
  while (Atomics.load(ctl, 0) === 0) {
    Atomics.wait(ctl, 1, 0, e.data.every);
    self.postMessage(0);
  }
};`;

/** Ticks from a pacer thread; `stop()` ends it. */
function pacer(every: number): { tick: () => Promise<void>; stop: () => void } {
  const worker = new Worker(`data:text/javascript,${encodeURIComponent(PACER)}`, { type: "module" });
  const sab = new SharedArrayBuffer(8);
  let waiting: (() => void) | null = null;
  worker.onmessage = () => {
    const w = waiting;
    waiting = null;
    w?.();
  };
  worker.postMessage({ sab, every });
  return {
    tick: () => new Promise<void>((r) => (waiting = r)),
    stop: () => {
      Atomics.store(new Int32Array(sab), 0, 1);
      worker.terminate();
    },
  };
}

async function paced(opens: Open[], o: AbOptions): Promise<Row[]> {
  const logs: Opened[] = [];
  for (const open of opens) logs.push(await openLog(open, o));
  const main = logs.map(() => 0), all = logs.map(() => 0);
  let floorMain = 0, floorAll = 0, floorCalls = 0;
  const calls = Array.from({ length: BLOCK }, (_, i) => smallRecord(i, o.record(i)));
  const pace = pacer(o.every);
  const t0 = logs.map((l) => sched(l.tid));
  const slots = logs.length + 1; // the last slot: no log
  for (let block = 0; block < (o.paced / BLOCK) * slots; block++) {
    const slot = (block + Math.floor(block / slots)) % slots; // the order turns every cycle
    const l = logs[slot];
    const m0 = sched(MAIN), a0 = processCpu();
    for (const r of calls) {
      if (r.stream && l) {
        l.log.sink.started?.(r, 0.01);
        l.lines++;
      }
      await pace.tick();
      if (l) {
        l.log.sink(r);
        l.lines++;
      }
    }
    const dm = sched(MAIN) - m0, da = processCpu() - a0;
    if (l) {
      main[slot]! += dm;
      all[slot]! += da;
    } else {
      floorMain += dm;
      floorAll += da;
      floorCalls += BLOCK;
    }
  }
  pace.stop();
  await finish(logs);
  const rows = logs.map((l, i): Row => [
    main[i]! / o.paced - floorMain / floorCalls,
    (sched(l.tid) - t0[i]!) / o.paced,
    all[i]! / o.paced - floorAll / floorCalls,
  ]);
  await close(logs);
  return rows;
}

async function burst(opens: Open[], o: AbOptions): Promise<Row[]> {
  const logs: Opened[] = [];
  for (const open of opens) logs.push(await openLog(open, o));
  const records = Array.from({ length: o.burst }, (_, i) => o.record(i));
  const sinkMs = logs.map(() => 0);
  const t0 = logs.map((l) => sched(l.tid));
  for (const [i, r] of records.entries()) {
    for (let k = 0; k < logs.length; k++) {
      const j = (i + k) % logs.length;
      const at = performance.now();
      logs[j]!.log.sink(r);
      sinkMs[j]! += performance.now() - at;
      logs[j]!.lines++;
    }
  }
  await finish(logs);
  // Both logs' work overlaps here: the process's CPU cannot be told apart per log.
  const rows = logs.map((l, i): Row => [sinkMs[i]! * 1000 / o.burst, (sched(l.tid) - t0[i]!) / o.burst, NaN]);
  await close(logs);
  return rows;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Runs the A/B rounds and prints per-record medians and the per-round ratios. */
export async function abRounds(o: AbOptions): Promise<void> {
  const url = pathToFileURL(resolve(o.dir, "src/logs/request_log.ts")).href;
  const base = (await import(url)).openRequestLog as Open;
  console.log(
    `A/B: this checkout vs ${o.dir}; ${o.rounds} rounds of ${o.paced} paced calls (one every ${o.every} ms) ` +
      `and ${o.burst} burst records per log (Deno ${Deno.version.deno})`,
  );
  const rows: Record<string, { this: Row[]; base: Row[] }> = {
    paced: { this: [], base: [] },
    burst: { this: [], base: [] },
  };
  for (let round = 0; round < o.rounds; round++) {
    // Which log is opened and fed first turns every round.
    const flip = round % 2 === 1;
    const opens = flip ? [base, openRequestLog] : [openRequestLog, base];
    for (const [lane, run] of [["paced", paced], ["burst", burst]] as const) {
      const [a, b] = await run(opens, o);
      rows[lane]!.this.push(flip ? b! : a!);
      rows[lane]!.base.push(flip ? a! : b!);
    }
    console.log(
      `round ${round + 1}: ` +
        Object.entries(rows).map(([lane, r]) =>
          `${lane} this ${r.this.at(-1)!.map((x) => x.toFixed(1)).join("/")} base ${
            r.base.at(-1)!.map((x) => x.toFixed(1)).join("/")
          }`
        ).join("; "),
    );
  }
  console.log(
    "\nµs per record, median of rounds   gateway thread   log thread   process   (this/base per round)",
  );
  for (const [lane, r] of Object.entries(rows)) {
    for (const [label, list] of [["this", r.this], ["base", r.base]] as const) {
      const f = (i: number) => median(list.map((x) => x[i]!)).toFixed(1).padStart(10);
      console.log(`${`${lane}, ${label}`.padEnd(34)} ${f(0)}       ${f(1)}   ${f(2)}`);
    }
    const ratio = (i: number) => median(r.this.map((x, j) => x[i]! / r.base[j]![i]!)).toFixed(3).padStart(10);
    console.log(`${`${lane}, this/base`.padEnd(34)} ${ratio(0)}       ${ratio(1)}   ${ratio(2)}`);
  }
}

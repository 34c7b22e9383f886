/**
 * Resident memory of many open streams through the bare relay (streams passed through natively), the floor
 * relay (streams read in JavaScript, as any gateway that sees the events must) and the gateway, each in
 * front of its own mock: the memory lane of `azmw bench --overhead` run against each subject in turn, in
 * alternating rounds. It tells what reading a stream in JavaScript costs per open stream in this runtime
 * (floor − relay) from what azmw keeps per stream on top of that (gateway − floor).
 *
 *   deno run -A scripts/bench_stream_memory.ts [--streams 1000] [--rounds 2] [--subjects relay,floor,gateway]
 *
 * Per subject: RSS before the streams (idle), the peak while all are open, and (open − idle) ÷ streams.
 *
 * @module
 */
import { memoryLane } from "../src/bench/overhead/lanes/memory.ts";
import { referenceArgv } from "../src/bench/overhead/relay_argv.ts";
import { currentSelf } from "../src/bench/overhead/self_argv.ts";
import { startStack } from "../src/bench/overhead/stack.ts";
import { buildRequest } from "../src/bench/request.ts";
import { scriptArgs, usageExit } from "./_args.ts";
import { median } from "./bench_ab.ts";

const BODY = {
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "Say hello in one short sentence." }],
};

/** What one subject measured in one round, in bytes. */
export interface StreamMemory {
  idle: number;
  open: number;
  opened: number;
}

/** Median idle and open RSS (MiB) and memory per open stream (KiB) of a subject's rounds. */
export function summarise(
  rounds: StreamMemory[],
): { idleMiB: number; openMiB: number; perStreamKiB: number } {
  return {
    idleMiB: median(rounds.map((r) => r.idle)) / 2 ** 20,
    openMiB: median(rounds.map((r) => r.open)) / 2 ** 20,
    perStreamKiB: median(rounds.map((r) => (r.open - r.idle) / Math.max(1, r.opened))) / 1024,
  };
}

/** Runs the memory lane once against `subject`. */
async function measure(subject: string, streams: number): Promise<StreamMemory> {
  const argv = referenceArgv(currentSelf(), subject);
  const stack = await startStack(argv ? { gatewayArgv: argv } : {});
  try {
    const r = await memoryLane({
      request: (side, o) =>
        buildRequest({
          dialect: "azure",
          baseUrl: side === "direct" ? stack.mock.url : stack.gateway.url,
          key: side === "direct" ? stack.upstreamKey : stack.callerKey,
          model: "gpt-4o-mini",
          stream: o.stream,
          headers: o.headers ?? {},
          // As the overhead run asks: usage in the stream, so the gateway does not add the option itself.
          ...(o.stream && { body: JSON.stringify({ stream_options: { include_usage: true }, ...BODY }) }),
        }),
      gatewayPid: stack.gateway.pid,
      rounds: 1,
      log: () => {},
    }, { streams, chunks: 20, chunkDelayMs: 500 });
    if (r.rssIdle === null || r.rssOpen === null) throw new Error("RSS needs /proc");
    if (Object.keys(r.failed).length > 0) {
      throw new Error(`${subject}: failed streams ${JSON.stringify(r.failed)}`);
    }
    return { idle: r.rssIdle, open: r.rssOpen, opened: r.opened };
  } finally {
    await stack.stop();
  }
}

if (import.meta.main) {
  const { values } = scriptArgs({
    options: {
      streams: { type: "string", default: "1000" },
      rounds: { type: "string", default: "2" },
      subjects: { type: "string", default: "relay,floor,gateway" },
    },
  });
  const streams = Number(values.streams);
  const rounds = Number(values.rounds);
  const names = values.subjects.split(",");
  if (!(streams > 0) || !(rounds > 0) || names.some((n) => !["relay", "floor", "gateway"].includes(n))) {
    usageExit(2);
  }
  const results = new Map<string, StreamMemory[]>(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 === 0 ? names : [...names].reverse()) {
      results.get(name)!.push(await measure(name, streams));
    }
  }
  console.log(`\n${streams} open streams: ${rounds} round(s) per subject (medians)`);
  console.log("| subject | idle RSS MiB | RSS with the streams open MiB | KiB per open stream |");
  console.log("|---|---|---|---|");
  for (const [name, rs] of results) {
    const s = summarise(rs);
    console.log(
      `| ${name} | ${s.idleMiB.toFixed(0)} | ${s.openMiB.toFixed(0)} | ${s.perStreamKiB.toFixed(0)} |`,
    );
  }
}

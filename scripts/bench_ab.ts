/**
 * Side-by-side CPU and latency of the gateway, the bare relay and the floor relay (the bare relay plus the
 * I/O a gateway cannot drop: src/bench/overhead/floor_relay.ts), driven by wrk from a second process. It
 * tells what this runtime charges for that I/O (floor ÷ relay) from what azmw's own pipeline adds (gateway
 * ÷ floor). Each subject runs in front of its own mock; rounds alternate the order of the subjects (ABC,
 * CBA, …) so drift of a shared machine spreads over all of them; figures are medians over rounds.
 *
 *   deno run -A scripts/bench_ab.ts [--concurrency 1,50] [--duration 4] [--rounds 6]
 *       [--subjects relay,floor,gateway]   (also floor-bare: the floor relay without client link and timers)
 *       [--gateway-config TEMPLATE]
 *       [--gateway NAME=TEMPLATE[@CHECKOUT]]…
 *
 * Needs `wrk` (Debian: `apt-get install wrk`). CPU per request is the subject process's user + system time
 * (all threads, /proc/<pid>/stat) over the requests of its rounds; "main" is its main thread alone
 * (/proc/<pid>/task/<pid>/stat). `--gateway-config` takes a template as `azmw bench --overhead` does
 * ({{MOCK_URL}}, {{DATA_DIR}}); the default is the full pipeline with sealed bodies. Each `--gateway
 * NAME=TEMPLATE` adds one more gateway subject, to compare configs in the same rounds; `@CHECKOUT` runs
 * that subject from another checkout's main.ts (`git worktree add`), to compare builds.
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { DEFAULT_GATEWAY_CONFIG } from "../src/bench/overhead/gateway_config.ts";
import { parsePidTicks } from "../src/bench/overhead/machine.ts";
import { referenceArgv } from "../src/bench/overhead/relay_argv.ts";
import { currentSelf } from "../src/bench/overhead/self_argv.ts";
import { type BenchStack, startStack } from "../src/bench/overhead/stack.ts";
import { scriptArgs, usageExit } from "./_args.ts";

const TICK_US = 10_000; // 100 ticks per second
const BODY = JSON.stringify({
  messages: [{ role: "user", content: "Say hello to test@example.com please" }],
  max_tokens: 16,
});
const PATH = "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21";

/** One wrk round against one subject. */
interface Round {
  requests: number;
  errors: number;
  seconds: number;
  cpuUs: number;
  mainUs: number;
  p50Ms: number;
  p99Ms: number;
}

/** wrk's latency figure (`523.00us`, `1.20ms`, `2.00s`) in milliseconds. */
export function wrkMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v;
}

/** Requests, non-2xx/3xx responses, socket errors and the p50/p99 latencies of a `wrk --latency` report. */
export function parseWrk(out: string): { requests: number; errors: number; p50Ms: number; p99Ms: number } {
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const pct = (p: string) => wrkMs(new RegExp(`^\\s*${p}%\\s+(\\S+)`, "m").exec(out)?.[1] ?? "");
  return { requests, errors: non2xx + socketErrors, p50Ms: pct("50"), p99Ms: pct("99") };
}

/** The median of `xs` (NaN when empty). */
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function ticks(path: string): Promise<number> {
  return parsePidTicks(await Deno.readTextFile(path)) ?? NaN;
}

async function round(stack: BenchStack, concurrency: number, seconds: number, lua: string): Promise<Round> {
  const pid = stack.gateway.pid;
  const [p0, m0] = [await ticks(`/proc/${pid}/stat`), await ticks(`/proc/${pid}/task/${pid}/stat`)];
  const out = await new Deno.Command("wrk", {
    args: ["-t1", `-c${concurrency}`, `-d${seconds}s`, "--latency", "-s", lua, stack.gateway.url + PATH],
    env: { AZMW_BENCH_KEY: stack.callerKey },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const [p1, m1] = [await ticks(`/proc/${pid}/stat`), await ticks(`/proc/${pid}/task/${pid}/stat`)];
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`wrk failed: ${new TextDecoder().decode(out.stderr)}`);
  const w = parseWrk(text);
  return {
    ...w,
    seconds,
    cpuUs: (p1 - p0) * TICK_US / w.requests,
    mainUs: (m1 - m0) * TICK_US / w.requests,
  };
}

function fmt(v: number, digits = 0): string {
  return Number.isFinite(v) ? v.toFixed(digits) : "–";
}

if (import.meta.main) {
  const { values } = scriptArgs({
    options: {
      concurrency: { type: "string", default: "1,50" },
      duration: { type: "string", default: "4" },
      rounds: { type: "string", default: "6" },
      subjects: { type: "string", default: "relay,floor,gateway" },
      "gateway-config": { type: "string" },
      gateway: { type: "string", multiple: true, default: [] },
    },
  });
  const concurrencies = values.concurrency.split(",").map(Number);
  const seconds = Number(values.duration);
  const rounds = Number(values.rounds);
  const extra = new Map(values.gateway.map((spec) => {
    const at = spec.indexOf("=");
    if (at <= 0) usageExit(2, `--gateway expects NAME=TEMPLATE[@CHECKOUT], got "${spec}"`);
    const [file, checkout] = spec.slice(at + 1).split("@");
    return [spec.slice(0, at), { file: file!, checkout }] as const;
  }));
  const names = [...values.subjects.split(","), ...extra.keys()];
  const template = values["gateway-config"] !== undefined
    ? await Deno.readTextFile(values["gateway-config"])
    : DEFAULT_GATEWAY_CONFIG;
  const lua = await Deno.makeTempFile({ suffix: ".lua" });
  await Deno.writeTextFile(
    lua,
    `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n` +
      `wrk.headers["api-key"] = os.getenv("AZMW_BENCH_KEY")\nwrk.body = '${BODY}'\n`,
  );
  const self = currentSelf();
  const stacks = new Map<string, BenchStack>();
  try {
    for (const name of names) {
      const gatewayArgv = referenceArgv(self, name);
      const own = extra.get(name);
      const configTemplate = own === undefined || own.file === ""
        ? template
        : await Deno.readTextFile(own.file);
      const from = own?.checkout === undefined
        ? self
        : { ...self, mainUrl: pathToFileURL(`${Deno.realPathSync(own.checkout)}/main.ts`).href };
      stacks.set(name, await startStack({ configTemplate, self: from, ...(gatewayArgv && { gatewayArgv }) }));
    }
    for (const c of concurrencies) {
      const results = new Map<string, Round[]>(names.map((n) => [n, []]));
      // One warm-up round each, not counted.
      for (const name of names) await round(stacks.get(name)!, c, 1, lua);
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? names : [...names].reverse();
        for (const name of order) results.get(name)!.push(await round(stacks.get(name)!, c, seconds, lua));
      }
      const cpu = (n: string) => median(results.get(n)!.map((x) => x.cpuUs));
      console.log(`\nconcurrency ${c}: ${rounds} rounds × ${seconds} s per subject (medians)`);
      console.log(
        "| subject | req/s | CPU µs/req (process) | main thread µs/req | p50 ms | p99 ms | errors | CPU ÷ relay | CPU ÷ floor |",
      );
      console.log("|---|---|---|---|---|---|---|---|---|");
      for (const name of names) {
        const rs = results.get(name)!;
        const rps = median(rs.map((x) => x.requests / x.seconds));
        console.log(
          `| ${name} | ${fmt(rps)} | ${fmt(cpu(name))} | ${fmt(median(rs.map((x) => x.mainUs)))} | ` +
            `${fmt(median(rs.map((x) => x.p50Ms)), 3)} | ${fmt(median(rs.map((x) => x.p99Ms)), 2)} | ` +
            `${rs.reduce((a, x) => a + x.errors, 0)} | ` +
            `${results.has("relay") ? fmt(cpu(name) / cpu("relay"), 2) + "×" : "–"} | ` +
            `${results.has("floor") ? fmt(cpu(name) / cpu("floor"), 2) + "×" : "–"} |`,
        );
      }
    }
  } finally {
    for (const s of stacks.values()) await s.stop();
    await Deno.remove(lua).catch(() => {});
  }
}

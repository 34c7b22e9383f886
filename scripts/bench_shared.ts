/**
 * What the shared counters (Redis) cost on the request path: two gateways of this program in front of
 * one mock upstream, identical but for `shared.redis`, driven in alternating rounds from this process.
 * The caller's key has an RPM, a TPM and a daily cost cap set far above what the run reaches, so every
 * call takes the rate-limit and cost round trips (two scripts) and one settlement after it; without
 * Redis the same limits are checked in memory.
 *
 *   deno run -A scripts/bench_shared.ts [--redis redis://127.0.0.1:6379/0] [--rounds 4]
 *     [--requests 500] [--seconds 5] [--concurrency 50]
 *
 * Prints a Markdown table: p50/p99 at concurrency 1 and req/s at the given concurrency, per side, and
 * the difference, plus CPU time per 1,000 calls of the gateway process and of the Redis server.
 * `shared.timeout_ms` is 2000 here, so a busy machine measures slow calls instead of refusals. Keys live under a fresh `azmw-bench:<uuid>:` prefix that is deleted at the end.
 *
 * @module
 */
import { scriptArgs } from "./_args.ts";
import { Redis } from "ioredis";

const { values } = scriptArgs({
  options: {
    redis: { type: "string", default: "redis://127.0.0.1:6379/0" },
    rounds: { type: "string", default: "4" },
    requests: { type: "string", default: "500" },
    seconds: { type: "string", default: "5" },
    concurrency: { type: "string", default: "50" },
  },
});
const ROUNDS = Number(values.rounds);
const REQUESTS = Number(values.requests);
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const MOCK_KEY = "bench-mock-key-0123456789";
const MANAGE_TOKEN = "bench-manage-token-0123456789";
const prefix = `azmw-bench:${crypto.randomUUID()}:`;
const dir = await Deno.makeTempDir({ prefix: "azmw-bench-shared-" });
const children: Deno.ChildProcess[] = [];

/** CPU time (user + system) of process `pid` so far, in ms (Linux `/proc`, 10 ms ticks). */
function cpuMs(pid: number): number {
  const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU time of the Redis server so far, in ms (`INFO cpu`). */
async function redisCpuMs(r: Redis): Promise<number> {
  const info = await r.info("cpu");
  const get = (name: string) => Number(info.match(new RegExp(`${name}:([0-9.]+)`))?.[1] ?? 0);
  return (get("used_cpu_user") + get("used_cpu_sys")) * 1000;
}

/** Spawns `args` and resolves the URL it prints as `listening on <url>`. */
async function start(args: string[], env: Record<string, string> = {}): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  children.push(child);
  let text = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    const m = text.match(/listening on (http:\/\/\S+)/);
    if (m) {
      void child.stdout.cancel().catch(() => {});
      return m[1]!;
    }
  }
  throw new Error(`azmw ${args[0]} exited before listening`);
}

async function gateway(
  name: string,
  mockUrl: string,
  shared: boolean,
): Promise<{ url: string; key: string; pid: number }> {
  const config = `${dir}/${name}.yaml`;
  const sharedYaml =
    `shared: { redis: "${values.redis}", prefix: "${prefix}", on_unavailable: closed, timeout_ms: 2000 }\n`;
  await Deno.writeTextFile(
    config,
    `server: { host: 127.0.0.1, instance: ${name} }
auth: { required: true, keys: [] }
manage: { token: env:AZMW_MANAGE_TOKEN, store: ${dir}/${name}.db }
logs: { dir: ${dir}/logs-${name}, bodies: false }
upstreams:
  - name: mock
    kind: azure
    endpoint: ${mockUrl}
    auth: { type: api_key, key: env:MOCK_KEY }
    deployments: [gpt-4o-mini]
${shared ? sharedYaml : ""}`,
  );
  const url = await start(["serve", "-c", config, "--port", "0", "--data-dir", `${dir}/data-${name}`], {
    AZMW_MANAGE_TOKEN: MANAGE_TOKEN,
    MOCK_KEY,
  });
  const manage = async (path: string, body: unknown) => {
    const res = await fetch(`${url}/manage/${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${MANAGE_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`POST /manage/${path}: ${res.status} ${await res.text()}`);
    return await res.json();
  };
  await manage("projects", { name: "bench", policy: { rpm: 1e9, tpm: 1e12, daily_cost_eur: 1e6 } });
  const key = await manage("keys", { project: "bench" });
  return { url, key: key.secret, pid: children.at(-1)!.pid };
}

const BODY = JSON.stringify({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "Hi" }],
  max_tokens: 16,
});

async function call(side: { url: string; key: string }): Promise<number> {
  const t = performance.now();
  const res = await fetch(`${side.url}/v1/chat/completions`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${side.key}`,
      "content-type": "application/json",
      "x-mock-chunks": "1",
    },
    body: BODY,
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`Unexpected status ${res.status}`);
  return performance.now() - t;
}

async function latency(side: { url: string; key: string }, out: number[]): Promise<void> {
  for (let i = 0; i < REQUESTS; i++) out.push(await call(side));
}

/** Requests per second at `CONCURRENCY`, and CPU ms per 1,000 requests of the gateway and of Redis. */
async function throughput(side: { url: string; key: string; pid: number }, redis: Redis) {
  const cpu0 = cpuMs(side.pid);
  const redis0 = await redisCpuMs(redis);
  const end = performance.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < end) {
      await call(side);
      done++;
    }
  }));
  return {
    rps: done / SECONDS,
    cpu: (cpuMs(side.pid) - cpu0) / done * 1000,
    redisCpu: (await redisCpuMs(redis) - redis0) / done * 1000,
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const redisClient = new Redis(values.redis!);
try {
  const mockUrl = await start(["mock", "--port", "0", "--api-key", MOCK_KEY]);
  const local = await gateway("local", mockUrl, false);
  const redis = await gateway("redis", mockUrl, true);
  const sides = { local, redis } as const;
  for (const side of Object.values(sides)) await latency(side, []); // warm-up
  const lat = { local: [] as number[], redis: [] as number[] };
  const rps = { local: [] as number[], redis: [] as number[] };
  const cpu = { local: [] as number[], redis: [] as number[] };
  const redisCpu = { local: [] as number[], redis: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (["local", "redis"] as const) : (["redis", "local"] as const);
    for (const name of order) await latency(sides[name], lat[name]);
    for (const name of order) {
      const m = await throughput(sides[name], redisClient);
      rps[name].push(m.rps);
      cpu[name].push(m.cpu);
      redisCpu[name].push(m.redisCpu);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const row = (label: string, a: number, b: number, unit: string, digits: number) =>
    `| ${label} | ${a.toFixed(digits)} ${unit} | ${b.toFixed(digits)} ${unit} | ${(b - a >= 0 ? "+" : "")}${
      (b - a).toFixed(digits)
    } ${unit} |`;
  console.log(`| | without Redis | with Redis | difference |`);
  console.log(`| --- | --- | --- | --- |`);
  console.log(row("p50, c=1", pct(lat.local, 50), pct(lat.redis, 50), "ms", 2));
  console.log(row("p99, c=1", pct(lat.local, 99), pct(lat.redis, 99), "ms", 2));
  console.log(row(`throughput, c=${CONCURRENCY}`, mean(rps.local), mean(rps.redis), "req/s", 0));
  console.log(row("gateway CPU per 1,000 calls, c=50", mean(cpu.local), mean(cpu.redis), "ms", 0));
  console.log(
    row("Redis server CPU per 1,000 calls, c=50", mean(redisCpu.local), mean(redisCpu.redis), "ms", 0),
  );
  console.log(
    `\n${ROUNDS} alternating rounds: ${REQUESTS} sequential requests and ${SECONDS} s at c=${CONCURRENCY} per ` +
      `side and round; kept ${(100 * mean(rps.redis) / mean(rps.local)).toFixed(1)}% of the throughput.`,
  );
} finally {
  for (const c of children) {
    try {
      c.kill("SIGTERM");
    } catch {
      // already gone
    }
  }
  await Promise.all(children.map((c) => c.status));
  const keys = await redisClient.keys(`${prefix}*`);
  if (keys.length > 0) await redisClient.del(...keys);
  redisClient.disconnect();
  await Deno.remove(dir, { recursive: true });
}

/**
 * Request-log durability under faults, measured against a real gateway process in front of the built-in
 * mock (sealed bodies, a price table and a budget, so every call is priced and reserved).
 *
 *   npx -y deno@2.9.6 run -A scripts/crash_durability.ts [--clients 20] [--kill-at 1000] [--streams 0.2]
 *     [--logs-inline]   (logs.thread: false: records sealed on the gateway's thread)
 *   npx -y deno@2.9.6 run -A scripts/crash_durability.ts --mode bigbody [--clients 40] [--mb 9.8]
 *
 * `crash` (default): clients call the gateway back to back (JSON, and every fifth call a stream of 8 chunks
 * 25 ms apart), the gateway is killed with SIGKILL once `--kill-at` calls were answered 200, then started
 * again. Reports the answered calls, how many of them have a record on disk, the streams in flight at the
 * kill and whether the spend the restarted gateway rebuilt equals the sum over the log (records' cost,
 * plus the reservation of each started entry no record closed).
 *
 * `bigbody`: `--clients` concurrent calls with bodies of `--mb` MB each; reports the gateway's RSS before and
 * its peak (VmHWM) against 2 × (baseline + bytes in flight), and how many answered calls were recorded.
 */
import { scriptArgs } from "./_args.ts";
import { generateKeyText } from "../src/logs/keyring.ts";

const { values } = scriptArgs({
  options: {
    mode: { type: "string", default: "crash" },
    clients: { type: "string" },
    "kill-at": { type: "string", default: "1000" },
    streams: { type: "string", default: "0.2" },
    mb: { type: "string", default: "9.8" },
    "no-budget": { type: "boolean", default: false },
    "logs-inline": { type: "boolean", default: false },
  },
});
const MODE = values.mode;
const CLIENTS = Number(values.clients ?? (MODE === "bigbody" ? 40 : 20));
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const CALLER = "crash-test-caller-key-0123456789";
const UPSTREAM = "crash-test-upstream-key";
const dec = new TextDecoder();

/** A child process whose first stdout line matching `re` gives its URL. */
async function spawn(args: string[], re: RegExp, cwd: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    cwd,
    env: { NO_COLOR: "1", CALLER_KEY: CALLER, UP_KEY: UPSTREAM },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) {
      const err = dec.decode(await new Response(child.stderr).arrayBuffer());
      throw new Error(`${args[0]} exited before it listened: ${text}${err}`);
    }
    text += value;
    const m = re.exec(text);
    if (m) {
      // Keep draining both pipes so the child never blocks on a full one.
      (async () => {
        while (!(await reader.read()).done) { /* drain */ }
      })().catch(() => {});
      const proc = { child, url: m[1]!, stderr: "" };
      child.stderr.pipeTo(
        new WritableStream({ write: (c) => void (proc.stderr = (proc.stderr + dec.decode(c)).slice(-2000)) }),
      ).catch(() => {});
      return proc;
    }
  }
}

const dir = await Deno.makeTempDir({ prefix: "azmw-crash-" });
await Deno.writeTextFile(`${dir}/log_key`, generateKeyText(), { mode: 0o600 });
const mock = await spawn(
  ["mock", "--port", "0", "--api-key", UPSTREAM, "--chunk-delay-ms", "25"],
  /listening on (\S+)/,
  dir,
);
await Deno.writeTextFile(
  `${dir}/config.yaml`,
  `server: { host: 127.0.0.1, instance: crash, data_dir: ${dir}/state }
auth: { keys: [{ id: dev, key: env:CALLER_KEY, project: demo }] }
upstreams:
  - { name: mock, kind: azure, endpoint: ${mock.url}, auth: { type: api_key, key: env:UP_KEY },
      deployments: [{ name: gpt-4o-prod, model: gpt-4o }] }
${
    values["no-budget"]
      ? ""
      : "pricing: { models: { gpt-4o: { input: 2.5, output: 10 } } }\nbudget: { daily_eur: 1000000 }"
  }
logs: { dir: ${dir}/logs, keys: [{ key: "file:${dir}/log_key" }]${
    values["logs-inline"] ? ", thread: false" : ""
  } }
`,
);
const startGateway = () =>
  spawn(["serve", "-c", `${dir}/config.yaml`, "--port", "0"], /listening on (\S+)/, dir);

function rssKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(Deno.readTextFileSync(`/proc/${pid}/status`));
  return m ? Number(m[1]) : NaN;
}

/** Every line of today's log files, parsed: records and started entries. */
async function readLog(): Promise<{ records: Map<string, number | null>; started: Map<string, number> }> {
  const records = new Map<string, number | null>();
  const started = new Map<string, number>();
  for await (const day of Deno.readDir(`${dir}/logs`)) {
    if (!day.isDirectory) continue; // the instance's lock file
    for await (const f of Deno.readDir(`${dir}/logs/${day.name}`)) {
      for (const line of (await Deno.readTextFile(`${dir}/logs/${day.name}/${f.name}`)).split("\n")) {
        let r: Record<string, unknown>;
        try {
          r = JSON.parse(line);
        } catch {
          continue; // an empty or torn last line
        }
        if (r.started === true) started.set(r.id as string, (r.reserved_eur as number | null) ?? 0);
        else records.set(r.id as string, (r.cost_eur as number | null) ?? null);
      }
    }
  }
  return { records, started };
}

const headers = { authorization: `Bearer ${CALLER}`, "content-type": "application/json" };

/** One call; resolves with its id when it was answered 200 in full, null otherwise. */
async function call(
  url: string,
  body: string,
  stream: boolean,
  inFlight: Set<string>,
): Promise<string | null> {
  try {
    const res = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers, body });
    const id = res.headers.get("x-azmw-request-id");
    if (stream && id) inFlight.add(id);
    const text = await res.text();
    if (id) inFlight.delete(id);
    if (res.status !== 200 || id === null) return null;
    return !stream || text.includes("[DONE]") ? id : null;
  } catch {
    return null;
  }
}

function percent(a: number, b: number): string {
  return b === 0 ? "n/a" : `${(100 * a / b).toFixed(2)} %`;
}

async function crash(): Promise<void> {
  const killAt = Number(values["kill-at"]);
  const share = Number(values.streams);
  const gw = await startGateway();
  const answered: string[] = [];
  const inFlight = new Set<string>();
  const streamed = new Set<string>();
  let killed = false;
  let atKill = { answered: 0, streams: 0, ms: 0 };
  const started = performance.now();
  let n = 0;
  const client = async () => {
    while (!killed) {
      const i = n++;
      const stream = i % Math.round(1 / share) === 0;
      const body = JSON.stringify({
        model: "gpt-4o",
        stream,
        messages: [{
          role: "user",
          content: `Call ${i}: write to me at jane.doe@example.com, card 4111 1111 1111 1111`,
        }],
      });
      const id = await call(gw.url, body, stream, inFlight);
      if (id === null || killed) continue;
      answered.push(id);
      if (stream) streamed.add(id);
      if (answered.length >= killAt) {
        atKill = { answered: answered.length, streams: inFlight.size, ms: performance.now() - started };
        killed = true;
        gw.child.kill("SIGKILL");
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  await gw.child.status;
  const streamsAtKill = [...inFlight];
  const { records, started: starts } = await readLog();
  const recorded = answered.filter((id) => records.has(id)).length;
  const missing = answered.filter((id) => !records.has(id));
  const missingStreams = missing.filter((id) => streamed.has(id)).length;
  const missingTail = missing.map((id) => answered.length - answered.indexOf(id));
  let sum = 0;
  for (const c of records.values()) sum += c ?? 0;
  let unclosed = 0;
  for (const [id, reserved] of starts) {
    if (!records.has(id)) {
      unclosed++;
      sum += reserved;
    }
  }
  const again = await startGateway();
  const health = await (await fetch(`${again.url}/health`, { headers })).json() as {
    spend_today_eur?: number;
  };
  again.child.kill("SIGTERM");
  await again.child.status;
  const rebuilt = health.spend_today_eur ?? NaN;
  const streamsTraced = streamsAtKill.filter((id) => starts.has(id)).length;
  console.log(
    [
      `clients ${CLIENTS}, streams 1 in ${
        Math.round(1 / share)
      }, killed after ${atKill.answered} answers in ` +
      `${atKill.ms.toFixed(0)} ms (${(atKill.answered / atKill.ms * 1000).toFixed(0)} answered calls/s)`,
      `answered 200: ${answered.length}; with a record on disk: ${recorded} (${
        percent(recorded, answered.length)
      })`,
      `not recorded: ${missing.length} (${missingStreams} streams), answered this many answers before the ` +
      `kill: ${missingTail.slice(0, 10).join(", ")}${missingTail.length > 10 ? ", …" : ""}`,
      `records on disk: ${records.size}; started entries: ${starts.size}, unclosed: ${unclosed}`,
      `streams in flight at the kill: ${streamsAtKill.length}, with a started entry: ${streamsTraced}`,
      `spend rebuilt after restart: ${rebuilt.toFixed(6)} EUR; sum over the log: ${sum.toFixed(6)} EUR; ` +
      `equal: ${Math.abs(rebuilt - sum) < 1e-6}`,
    ].join("\n"),
  );
}

async function bigBody(): Promise<void> {
  const bytes = Math.round(Number(values.mb) * 1_000_000);
  const gw = await startGateway();
  const pid = gw.child.pid;
  // Warm up: a few small calls, then the baseline.
  for (let i = 0; i < 5; i++) {
    await call(gw.url, JSON.stringify({ model: "gpt-4o", messages: [] }), false, new Set());
  }
  const baseline = rssKb(pid, "VmRSS");
  const content = "lorem ipsum ".repeat(Math.ceil(bytes / 12)).slice(0, bytes - 100);
  const body = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content }] });
  let peak = 0;
  const sampler = setInterval(() => peak = Math.max(peak, rssKb(pid, "VmRSS")), 5);
  const ids = await Promise.all(Array.from({ length: CLIENTS }, () => call(gw.url, body, false, new Set())));
  clearInterval(sampler);
  const hwm = rssKb(pid, "VmHWM");
  gw.child.kill("SIGTERM");
  await gw.child.status;
  const answered = ids.filter((id): id is string => id !== null);
  const { records } = await readLog();
  const recorded = answered.filter((id) => records.has(id)).length;
  const inFlightMb = CLIENTS * body.length / 1e6;
  const limit = 2 * (baseline / 1e3 + inFlightMb);
  console.log(
    [
      `${CLIENTS} concurrent calls of ${(body.length / 1e6).toFixed(2)} MB (${
        inFlightMb.toFixed(0)
      } MB in flight)`,
      `RSS baseline ${(baseline / 1e3).toFixed(0)} MB, peak ${(Math.max(hwm, peak) / 1e3).toFixed(0)} MB ` +
      `(limit 2 × (baseline + in flight) = ${limit.toFixed(0)} MB): ${
        Math.max(hwm, peak) / 1e3 < limit ? "PASS" : "FAIL"
      }`,
      `answered 200: ${answered.length}; recorded: ${recorded} (${percent(recorded, answered.length)})`,
    ].join("\n"),
  );
}

try {
  if (MODE === "bigbody") await bigBody();
  else await crash();
} finally {
  try {
    mock.child.kill("SIGTERM");
  } catch {
    console.log(`(the mock had exited: ${JSON.stringify(await mock.child.status)}) ${mock.stderr}`);
  }
  await mock.child.status;
  await Deno.remove(dir, { recursive: true });
}

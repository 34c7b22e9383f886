/**
 * What the gateway's own accept loop (`src/server/listener.ts`: connection cap, header deadline, EMFILE
 * backoff) costs against a bare `Deno.serve`: the same trivial handler (read the JSON body, answer a small
 * JSON) behind each, server CPU per request (user + system, from /proc) and requests/s at c=1 and c=50 on
 * keep-alive connections, in alternating rounds so machine load hits both sides alike.
 *
 *   deno run -A scripts/bench_listener.ts [--requests N] [--rounds N]
 *
 * @module
 */
import { scriptArgs } from "./_args.ts";
import { serveGuarded } from "../src/server/listener.ts";

const { values } = scriptArgs({
  options: { serve: { type: "string" }, requests: { type: "string" }, rounds: { type: "string" } },
});

const ANSWER = JSON.stringify({ id: "x", object: "chat.completion", choices: [] });
const handler = async (req: Request) => {
  await req.arrayBuffer();
  return new Response(ANSWER, { headers: { "content-type": "application/json" } });
};

if (values.serve !== undefined) {
  const onListen = (port: number) => console.log(`listening ${port}`);
  if (values.serve === "guarded") {
    const s = serveGuarded({
      hostname: "127.0.0.1",
      port: 0,
      maxConnections: 10_000,
      headerTimeoutMs: 30_000,
      onError: () => new Response(null, { status: 500 }),
    }, handler);
    onListen(s.addr.port);
  } else {
    Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => onListen(port) }, handler);
  }
} else {
  const requests = Number(values.requests ?? 5000);
  const rounds = Number(values.rounds ?? 3);
  const self = new URL(import.meta.url).pathname;
  const ticks = 100; // USER_HZ on Linux
  const cpuMs = async (pid: number) => {
    const f = (await Deno.readTextFile(`/proc/${pid}/stat`)).split(") ")[1]!.split(" ");
    return (Number(f[11]) + Number(f[12])) * 1000 / ticks;
  };
  const body = JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] });
  const results: Record<string, { cpuUs: number[]; rps: number[] }> = {};
  // A fresh server process per measurement, modes alternating, so neither side inherits the other's state.
  for (let round = 0; round < rounds; round++) {
    for (const c of [1, 50]) {
      for (const mode of ["deno", "guarded"]) {
        const child = new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", self, "--serve", mode],
          stdout: "piped",
        }).spawn();
        const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
        let out = "";
        while (!out.includes("\n")) out += (await reader.read()).value ?? "";
        const url = `http://127.0.0.1:${/listening (\d+)/.exec(out)![1]}/v1/chat/completions`;
        const client = Deno.createHttpClient({});
        const send = async (n: number) => {
          for (let i = 0; i < n; i++) {
            const res = await fetch(url, { method: "POST", body, client });
            await res.arrayBuffer();
          }
        };
        await Promise.all(Array.from({ length: c }, () => send(Math.ceil(1000 / c)))); // warm-up (JIT)
        const cpu0 = await cpuMs(child.pid);
        const t0 = performance.now();
        await Promise.all(Array.from({ length: c }, () => send(Math.ceil(requests / c))));
        const wall = performance.now() - t0;
        const cpu = await cpuMs(child.pid) - cpu0;
        const n = Math.ceil(requests / c) * c;
        const key = `${mode} c=${c}`;
        results[key] ??= { cpuUs: [], rps: [] };
        results[key].cpuUs.push(cpu * 1000 / n);
        results[key].rps.push(n / wall * 1000);
        client.close();
        child.kill("SIGTERM");
        await child.status;
        await reader.cancel();
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`| Server | c | CPU µs/request (median of ${rounds}) | requests/s (median) |`);
  console.log("|---|---|---|---|");
  for (const [key, r] of Object.entries(results)) {
    const [mode, c] = key.split(" ");
    const name = mode === "deno" ? "Deno.serve" : "serveGuarded (azmw listener)";
    console.log(`| ${name} | ${c!.slice(2)} | ${median(r.cpuUs).toFixed(1)} | ${median(r.rps).toFixed(0)} |`);
  }
}

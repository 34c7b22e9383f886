import { startStack } from "./src/bench/overhead/stack.ts";
import { parsePidTicks } from "./src/bench/overhead/machine.ts";
const BODY = JSON.stringify({ messages: [{ role: "user", content: "Say hello to test@example.com please" }], max_tokens: 16 });
const PATH = "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21";
const tpl = Deno.args[1] ? await Deno.readTextFile(Deno.args[1]) : undefined;
const stack = await startStack(tpl ? { configTemplate: tpl } : {});
const lua = await Deno.makeTempFile({ suffix: ".lua" });
await Deno.writeTextFile(lua, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["api-key"] = os.getenv("AZMW_BENCH_KEY")\nwrk.body = '${BODY}'\n`);
const pid = stack.gateway.pid;
async function snap() {
  const m = new Map<string, number>();
  for await (const e of Deno.readDir(`/proc/${pid}/task`)) {
    try {
      const comm = (await Deno.readTextFile(`/proc/${pid}/task/${e.name}/comm`)).trim();
      const t = parsePidTicks(await Deno.readTextFile(`/proc/${pid}/task/${e.name}/stat`)) ?? 0;
      const k = e.name === String(pid) ? "main" : comm.replace(/\d+$/, "#");
      m.set(k, (m.get(k) ?? 0) + t);
    } catch { /* gone */ }
  }
  return m;
}
const c = Number(Deno.args[0] ?? 50);
for (let r = 0; r < 3; r++) {
  const a = await snap();
  const out = await new Deno.Command("wrk", { args: ["-t1", `-c${c}`, "-d6s", "--latency", "-s", lua, stack.gateway.url + PATH], env: { AZMW_BENCH_KEY: stack.callerKey }, stdout: "piped" }).output();
  const b = await snap();
  const n = Number(/(\d+) requests in/.exec(new TextDecoder().decode(out.stdout))![1]);
  const rows = [...b].map(([k, v]) => [k, ((v - (a.get(k) ?? 0)) * 10000 / n).toFixed(1)]).filter(([, v]) => v !== "0.0");
  console.log(r, n / 6 | 0, "req/s", JSON.stringify(rows));
}
await stack.stop();

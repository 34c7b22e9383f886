/**
 * The bare `Deno.serve` + `fetch` relay of `azmw bench --overhead` (src/bench/overhead/relay.ts), started
 * on its own, e.g. to drive it with wrk:
 *
 *   AZMW_BENCH_KEY=… AZMW_BENCH_UPSTREAM_KEY=… deno run -A scripts/bench_relay.ts --upstream URL [--port N]
 *
 * Prints `relay listening on http://127.0.0.1:<port>` once ready.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { relayKeysFromEnv, serveRelay } from "../src/bench/overhead/relay.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { upstream: { type: "string" }, port: { type: "string" } },
});
if (!values.upstream) {
  console.error("Usage: AZMW_BENCH_KEY=… AZMW_BENCH_UPSTREAM_KEY=… bench_relay.ts --upstream URL [--port N]");
  Deno.exit(2);
}
const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, () => stop.abort());
await serveRelay({
  upstream: values.upstream,
  ...relayKeysFromEnv((name) => Deno.env.get(name)),
  port: Number(values.port ?? 0),
  signal: stop.signal,
  announce: (line) => void Deno.stdout.write(new TextEncoder().encode(line)),
});

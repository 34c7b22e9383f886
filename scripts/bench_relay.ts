/**
 * A bare `Deno.serve` + `fetch` relay: the reference DESIGN.md §5 measures the gateway's budget against.
 * It checks the caller key, swaps in the upstream key and passes the upstream body through untouched —
 * no routing, limits, parsing or logging. `scripts/bench_table.ts` runs the overhead lanes against it.
 *
 *   deno run -A scripts/bench_relay.ts --upstream http://127.0.0.1:8788 [--port 0]
 *
 * Keys come from AZMW_BENCH_KEY (callers) and AZMW_BENCH_UPSTREAM_KEY (sent upstream as a Bearer token).
 * Prints `relay listening on http://127.0.0.1:<port>` once ready.
 *
 * @module
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: { upstream: { type: "string" }, port: { type: "string" } },
});
const upstream = values.upstream?.replace(/\/+$/, "");
const callerKey = Deno.env.get("AZMW_BENCH_KEY");
const upstreamKey = Deno.env.get("AZMW_BENCH_UPSTREAM_KEY");
if (!upstream || !callerKey || !upstreamKey) {
  console.error("Usage: AZMW_BENCH_KEY=… AZMW_BENCH_UPSTREAM_KEY=… bench_relay.ts --upstream URL [--port N]");
  Deno.exit(2);
}
const DROP = ["host", "authorization", "api-key", "x-api-key", "content-length", "connection"];

function presented(h: Headers): string | null {
  const auth = h.get("authorization");
  return auth?.startsWith("Bearer ") ? auth.slice(7) : h.get("api-key") ?? h.get("x-api-key");
}

const server = Deno.serve({
  hostname: "127.0.0.1",
  port: Number(values.port ?? 0),
  onListen: ({ port }) => console.log(`relay listening on http://127.0.0.1:${port}`),
}, async (req) => {
  if (presented(req.headers) !== callerKey) return new Response('{"error":"unauthorized"}', { status: 401 });
  const url = new URL(req.url);
  const headers = new Headers(req.headers);
  for (const name of DROP) headers.delete(name);
  headers.set("authorization", `Bearer ${upstreamKey}`);
  const res = await fetch(upstream + url.pathname + url.search, {
    method: req.method,
    headers,
    body: req.body === null ? null : await req.arrayBuffer(),
  });
  return new Response(res.body, { status: res.status, headers: res.headers });
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => void server.shutdown().then(() => Deno.exit(0)));
}

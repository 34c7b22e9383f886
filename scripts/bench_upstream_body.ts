/**
 * What sending upstream request bodies as a `Blob` (so Deno's fetch never re-sends them on its own; see
 * `src/providers/pool.ts`) costs against sending the bytes: c=1 POSTs of a chat body through one pooled
 * `Deno.HttpClient` to a local `Deno.serve` upstream, in alternating rounds so both sides see the same
 * machine load. Prints p50/p99 per side and the difference.
 *
 *   deno run -A scripts/bench_upstream_body.ts [--rounds 10] [--requests 2000] [--bytes 1024]
 *
 * @module
 */
import { scriptArgs } from "./_args.ts";
import { once } from "../src/providers/pool.ts";

const { values } = scriptArgs({
  options: { rounds: { type: "string" }, requests: { type: "string" }, bytes: { type: "string" } },
});
const rounds = Number(values.rounds ?? 10);
const requests = Number(values.requests ?? 2000);
const size = Number(values.bytes ?? 1024);

const answer = '{"id":"chatcmpl-1","object":"chat.completion","choices":[]}';
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
  await req.arrayBuffer();
  return new Response(answer, { headers: { "content-type": "application/json" } });
});
const url = `http://127.0.0.1:${server.addr.port}/v1/chat/completions`;
const client = Deno.createHttpClient({ poolMaxIdlePerHost: 8 });
const text = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "x".repeat(size) }] });
const bytes = new TextEncoder().encode(text);
const headers = [["content-type", "application/json"], ["api-key", "k"]] as [string, string][];

type Side = "bytes" | "blob";
const samples: Record<Side, number[]> = { bytes: [], blob: [] };
const run = async (side: Side, n: number, keep: boolean) => {
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const body = side === "blob" ? once(bytes) : bytes;
    const res = await fetch(url, { method: "POST", headers, body, client });
    await res.arrayBuffer();
    if (keep) samples[side].push(performance.now() - t);
  }
};
await run("bytes", 500, false);
await run("blob", 500, false);
for (let r = 0; r < rounds; r++) {
  for (const side of (r % 2 === 0 ? ["bytes", "blob"] : ["blob", "bytes"]) as Side[]) {
    await run(side, requests, true);
  }
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;
for (const side of ["bytes", "blob"] as Side[]) {
  console.log(`${side.padEnd(5)}  p50 ${fmt(pct(samples[side], 0.5))}  p99 ${fmt(pct(samples[side], 0.99))}`);
}
console.log(
  `blob - bytes: p50 ${fmt(pct(samples.blob, 0.5) - pct(samples.bytes, 0.5))}, p99 ${
    fmt(pct(samples.blob, 0.99) - pct(samples.bytes, 0.99))
  } (${rounds} rounds × ${requests} requests per side, ${bytes.byteLength}-byte body)`,
);
client.close();
await server.shutdown();

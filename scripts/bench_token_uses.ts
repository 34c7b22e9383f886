/**
 * What counting a capped token's use durably costs: `takeTokenUseSync` (one autocommitted UPDATE on the
 * SQLite store in WAL mode) against the in-memory count uncapped tokens get, on a store file in a temp dir.
 *
 *   deno run -A scripts/bench_token_uses.ts [--uses 20000]
 *
 * @module
 */
import { scriptArgs } from "./_args.ts";
import { TokenUses } from "../src/governance/token_uses.ts";
import { openStore } from "../src/store/mod.ts";

const { values } = scriptArgs({ options: { uses: { type: "string" } } });
const uses = Number(values.uses ?? 20_000);
const dir = await Deno.makeTempDir();
const store = await openStore(`${dir}/azmw.db`);
const ctx = { at: 0, actor: { role: "local" as const, id: "bench" } };
await store.createProject(
  { name: "p", description: "", metadata: {}, policy: {}, upstreamCredentials: {} },
  ctx,
);
await store.createToken({
  id: "tok",
  project: "p",
  name: "bench",
  prefix: "abcdefgh",
  sha256: "0".repeat(64),
  policy: {},
  expiresAt: Date.now() + 3_600_000,
  maxRequests: uses * 10,
}, ctx);
const counter = new TokenUses(store, { flushMs: 60_000 });
const time = (max: number | null) => {
  const samples: number[] = [];
  for (let i = 0; i < uses; i++) {
    const t = performance.now();
    counter.take("tok", max);
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const us = (p: number) => `${(samples[Math.floor(p * samples.length)]! * 1000).toFixed(1)} µs`;
  return `p50 ${us(0.5)}  p99 ${us(0.99)}`;
};
time(null);
console.log(`uncapped (in memory):     ${time(null)}`);
console.log(`capped (durable UPDATE):  ${time(uses * 10)}`);
await counter.flush();
await store.close();
await Deno.remove(dir, { recursive: true });

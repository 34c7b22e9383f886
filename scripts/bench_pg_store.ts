/**
 * What the PostgreSQL store costs on the request path: the same in-process gateway (governance on, caller
 * cache off so every call looks its caller up in the store, mock upstream) on the SQLite store and on the
 * PostgreSQL store, in one run. Counts the queries sent to PostgreSQL while calls run, less the background
 * refresh's own rate measured idle over the same time, and reports queries per call, p50/p99 at c=1 and
 * throughput at c=50.
 *
 *   deno run -A scripts/bench_pg_store.ts [--calls 3000] [--seconds 5] [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
 */
import { scriptArgs } from "./_args.ts";
import postgres from "postgres";
import { validateConfig } from "../src/config/schema.ts";
import { openGovernance } from "../src/server/governance.ts";
import { serveMock } from "../src/mock/mod.ts";
import { createAppLog } from "../src/observability/app_log.ts";
import { sha256Hex } from "../src/core/sha256.ts";
import { startGateway } from "../src/server/gateway.ts";
import { openStore } from "../src/store/mod.ts";
import type { Store } from "../src/store/types.ts";
import { governed } from "../tests/_helpers/callers.ts";

const { values } = scriptArgs({
  options: {
    calls: { type: "string", default: "3000" },
    seconds: { type: "string", default: "5" },
    "admin-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432/postgres" },
  },
});
const CALLS = Number(values.calls);
const SECONDS = Number(values.seconds);
const UP_KEY = "bench-upstream-key";
const CALLER = `azmw_${crypto.randomUUID().replaceAll("-", "")}`;
const CTX = { actor: { role: "local" as const, id: "cli:bench" }, at: Date.now() };
const BODY = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });

const adminUrl = values["admin-url"]!;
const dbName = `azmw_bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${dbName}`);
const pgUrl = adminUrl.replace(/\/[^/]*$/, `/${dbName}`);
const tmp = await Deno.makeTempDir();
const mock = serveMock({ apiKey: UP_KEY });

async function seed(store: Store): Promise<void> {
  await store.createProject({
    name: "bench",
    description: "",
    metadata: {},
    policy: {},
    upstreamCredentials: {},
  }, CTX);
  await store.createKey({
    id: "key_bench",
    project: "bench",
    name: "bench",
    prefix: CALLER.slice(5, 13),
    sha256: sha256Hex(CALLER),
    policy: {},
    expiresAt: null,
  }, CTX);
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function measure(kind: "sqlite" | "postgres") {
  const store = await openStore(kind === "sqlite" ? `${tmp}/azmw.db` : pgUrl);
  await seed(store);
  const config = validateConfig(
    {
      server: { host: "127.0.0.1", port: 8787 },
      auth: { keys: [] },
      upstreams: [{
        name: "mock",
        kind: "azure",
        endpoint: mock.url,
        auth: { type: "api_key", key: "env:UP" },
        deployments: ["gpt-4o-mini"],
      }],
      manage: { cache_ttl_ms: 0 },
    },
    "bench.yaml",
    { hostname: () => "bench" },
  );
  config.server.port = 0;
  const env = (n: string) => n === "UP" ? UP_KEY : undefined;
  const governance = await openGovernance(config, { callerKeys: [], env, store });
  const gw = await startGateway(config, { env, log: createAppLog(() => {}), ...governed(governance) });
  const call = async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${CALLER}`, "content-type": "application/json" },
      body: BODY,
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`Unexpected status ${res.status}`);
  };
  const queries = () => store.health?.().queries ?? 0;
  for (let i = 0; i < 300; i++) await call();

  // c=1 latency, and the queries sent meanwhile.
  const q0 = queries();
  const t0 = performance.now();
  const lat: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const s = performance.now();
    await call();
    lat.push(performance.now() - s);
  }
  const c1Ms = performance.now() - t0;
  const c1Queries = queries() - q0;
  // The background refresh's own rate, idle, over the same time.
  const q1 = queries();
  await new Promise((r) => setTimeout(r, c1Ms));
  const idleQueries = queries() - q1;

  // c=50 closed loop.
  let done = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: 50 }, async () => {
    while (performance.now() < end) {
      await call();
      done++;
    }
  }));
  lat.sort((a, b) => a - b);
  await gw.shutdown(1_000);
  await governance.close();
  return {
    kind,
    p50: pct(lat, 0.5),
    p99: pct(lat, 0.99),
    rps: done / SECONDS,
    c1Queries,
    idleQueries,
  };
}

try {
  const rows = [await measure("sqlite"), await measure("postgres")];
  console.log(`${CALLS} calls at c=1 (caller cache off), then ${SECONDS} s at c=50\n`);
  console.log(
    "| store | p50 c=1 (ms) | p99 c=1 (ms) | req/s c=50 | queries during the c=1 calls | same time idle | per call |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const r of rows) {
    const per = r.kind === "sqlite" ? "—" : ((r.c1Queries - r.idleQueries) / CALLS).toFixed(4);
    console.log(
      `| ${r.kind} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${Math.round(r.rps)} | ${
        r.kind === "sqlite" ? "—" : r.c1Queries
      } | ${r.kind === "sqlite" ? "—" : r.idleQueries} | ${per} |`,
    );
  }
} finally {
  await mock.shutdown();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
  await Deno.remove(tmp, { recursive: true });
}

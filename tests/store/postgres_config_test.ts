import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/schema.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { isPostgresUrl, postgresUrlOf } from "../../src/store/postgres_open.ts";
import { openStore, SharedStore, SqliteStore } from "../../src/store/mod.ts";

const UPSTREAM = {
  name: "u",
  kind: "azure",
  endpoint: "https://x.example",
  auth: { type: "api_key", key: "env:K" },
  deployments: ["d"],
};
const config = (store: unknown) =>
  validateConfig({ upstreams: [UPSTREAM], manage: { store } }, "t.yaml", { hostname: () => "h" });

Deno.test("manage.store takes a SQLite path, a postgres:// URL or a secret reference", async () => {
  for (const store of ["/data/gw.db", "gw.db", "postgres://azmw@db:5432/azmw", "env:AZMW_DATABASE_URL"]) {
    assert.equal(config(store).manage?.store, store);
  }
  assert.equal(await postgresUrlOf(config("/data/gw.db")), null);
  assert.equal(await postgresUrlOf(config("postgresql://h/db")), "postgresql://h/db");
  assert.equal(
    await postgresUrlOf(config("env:DB"), { env: (n) => n === "DB" ? "postgres://h/x" : undefined }),
    "postgres://h/x",
  );
  assert.ok(isPostgresUrl("POSTGRES://h/db") && !isPostgresUrl("/tmp/postgres://x"));
});

Deno.test("manage.store refuses a URL with a literal password and unsupported schemes, never echoing them", () => {
  for (
    const [store, reason] of [
      ["postgres://azmw:hunter2@db/azmw", /literal password/],
      ["mysql://db/azmw", /unsupported URL/],
      ["env:not a name", /malformed reference/],
      ["  ", /empty string/],
    ] as const
  ) {
    try {
      config(store);
      assert.fail(`accepted ${store}`);
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      const issue = err.issues.find((i) => i.path === "manage.store");
      assert.match(issue!.message, reason);
      assert.ok(!err.message.includes("hunter2"));
    }
  }
});

Deno.test("openStore() resolves a secret reference and opens SQLite for a path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = await openStore("env:AZMW_DB", { env: (n) => n === "AZMW_DB" ? `${dir}/a.db` : undefined });
    assert.ok(store instanceof SqliteStore);
    await store.close();
    await assert.rejects(
      openStore("env:AZMW_MISSING", { env: () => undefined }),
      /"AZMW_MISSING" is not set/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "openStore() on an unreachable PostgreSQL opens anyway, reports down and refuses lookups clearly",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const store = await openStore("postgres://postgres@127.0.0.1:1/none", { retryMs: 60_000 });
    assert.ok(store instanceof SharedStore);
    const health = store.health();
    assert.equal(health.up, false);
    assert.match(health.error!, /ECONNREFUSED/);
    assert.equal(health.snapshotAgeMs, null);
    await assert.rejects(
      store.findCredential("1".repeat(64)),
      (e) =>
        (e as { code?: string }).code === "unavailable" &&
        /has not been reached yet/.test((e as Error).message),
    );
    await assert.rejects(
      store.listProjects({ limit: 1 }),
      (e) => (e as { code?: string }).code === "unavailable",
    );
    await store.close();
  },
});

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { migrate, MIGRATIONS, SCHEMA_VERSION } from "../../src/store/migrations.ts";
import { openStore } from "../../src/store/mod.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";

const CTX = { actor: { role: "local" as const, id: "cli:test" }, at: 1_000 };
const PROJECT = { name: "demo", description: "", metadata: {}, policy: { rpm: 5 }, upstreamCredentials: {} };

Deno.test("openStore() creates a fresh file in WAL mode with every migration applied", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/nested/azmw.db`;
    const store = await openStore(path);
    await store.createProject(PROJECT, CTX);
    await store.close();
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    const db = new DatabaseSync(path);
    assert.deepEqual({ ...db.prepare("PRAGMA journal_mode").get() }, { journal_mode: "wal" });
    const versions = db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all();
    assert.deepEqual(versions.map((v) => v.version), MIGRATIONS.map((m) => m.version));
    assert.equal(SCHEMA_VERSION, 2);
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openSqliteStore() upgrades an existing version-1 database and keeps its data", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/azmw.db`;
    const old = openSqliteStore(path, { migrations: MIGRATIONS.slice(0, 1) });
    assert.deepEqual(old.schemaVersions(), [1]);
    await old.createProject(PROJECT, CTX);
    await old.createKey({
      id: "key_1",
      project: "demo",
      name: "ci",
      prefix: "abcdefgh",
      sha256: "a".repeat(64),
      policy: {},
      expiresAt: null,
    }, CTX);
    await old.close();

    const store = openSqliteStore(path);
    assert.deepEqual(store.schemaVersions(), [1, 2]);
    assert.equal((await store.getProject("demo"))?.policy.rpm, 5);
    assert.equal((await store.getKey("key_1"))?.name, "ci");
    const token = await store.createToken({
      id: "tok_1",
      project: "demo",
      name: "",
      prefix: "ijklmnop",
      sha256: "b".repeat(64),
      policy: {},
      expiresAt: 5_000,
      maxRequests: 3,
    }, CTX);
    assert.equal(token.requestCount, 0);
    await store.close();

    const again = openSqliteStore(path);
    assert.deepEqual(again.schemaVersions(), [1, 2], "reopening applies nothing");
    await again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("migrate() refuses a database from a newer azmw and rolls back a failed step", () => {
  const db = new DatabaseSync(":memory:");
  migrate(db, { now: () => 1 });
  db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 1)").run();
  assert.throws(
    () => migrate(db, { now: () => 1 }),
    /schema is version 99, newer than this azmw knows \(2\)/,
  );
  db.close();

  const fresh = new DatabaseSync(":memory:");
  const broken = [...MIGRATIONS, {
    version: 3,
    name: "broken",
    sql: "CREATE TABLE x (a); CREATE TABLE x (a);",
  }];
  assert.throws(
    () => migrate(fresh, { now: () => 1, migrations: broken }),
    /Cannot apply store migration 3 \("broken"\)/,
  );
  const max = fresh.prepare("SELECT MAX(version) AS v FROM schema_migrations").get();
  assert.equal(max?.v, 2);
  assert.equal(fresh.prepare("SELECT name FROM sqlite_master WHERE name = 'x'").get(), undefined);
  fresh.close();
});

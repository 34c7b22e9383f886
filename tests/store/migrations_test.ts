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
    assert.equal(SCHEMA_VERSION, 3);
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openSqliteStore() upgrades an existing version-1 database and keeps its data", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/azmw.db`;
    // A version-1 database as an older azmw wrote it.
    const old = new DatabaseSync(path);
    migrate(old, { now: () => 1, migrations: MIGRATIONS.slice(0, 1) });
    old.prepare(
      `INSERT INTO projects (name, description, metadata, policy, upstream_credentials, disabled, created_at,
       updated_at) VALUES ('demo', '', '{}', '{"rpm":5}', '{}', 0, 1, 1), ('other', '', '{}', '{}', '{}', 0, 1, 1)`,
    ).run();
    old.prepare(
      `INSERT INTO api_keys (id, project, name, prefix, sha256, policy, expires_at, disabled_at, replaced_by,
       created_at, updated_at) VALUES ('key_1', 'demo', 'ci', 'abcdefgh', ?, '{}', NULL, NULL, NULL, 1, 1)`,
    ).run("a".repeat(64));
    old.close();

    const store = openSqliteStore(path);
    assert.deepEqual(store.schemaVersions(), [1, 2, 3]);
    const demo = (await store.getProject("demo"))!;
    assert.equal(demo.policy.rpm, 5);
    // Version 3 gave the existing projects random UUIDs (version 4 layout), each its own.
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    assert.match(demo.id, uuid);
    const other = (await store.getProject("other"))!;
    assert.match(other.id, uuid);
    assert.notEqual(demo.id, other.id);
    assert.equal((await store.getProjectById(demo.id))?.name, "demo");
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
    assert.deepEqual(again.schemaVersions(), [1, 2, 3], "reopening applies nothing");
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
    /schema is version 99, newer than this azmw knows \(3\)/,
  );
  db.close();

  const fresh = new DatabaseSync(":memory:");
  const broken = [...MIGRATIONS, {
    version: SCHEMA_VERSION + 1,
    name: "broken",
    sql: "CREATE TABLE x (a); CREATE TABLE x (a);",
  }];
  assert.throws(
    () => migrate(fresh, { now: () => 1, migrations: broken }),
    new RegExp(`Cannot apply store migration ${SCHEMA_VERSION + 1} \\("broken"\\)`),
  );
  const max = fresh.prepare("SELECT MAX(version) AS v FROM schema_migrations").get();
  assert.equal(max?.v, SCHEMA_VERSION);
  assert.equal(fresh.prepare("SELECT name FROM sqlite_master WHERE name = 'x'").get(), undefined);
  fresh.close();
});

import assert from "node:assert/strict";
import { PostgresStore } from "../../src/store/postgres.ts";
import { openPostgresPool } from "../../src/store/postgres_open.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { runAzmw } from "../_helpers/cli.ts";
import { dropAtEnd, freshDatabase } from "../_helpers/postgres.ts";

const db = await freshDatabase();
const CTX = { actor: { role: "local" as const, id: "cli:ann" }, at: 1_000 };

async function sqliteFixture(path: string): Promise<void> {
  const store = openSqliteStore(path);
  await store.createProject({
    name: "demo",
    description: "Demo",
    metadata: { owner: "data" },
    policy: { rpm: 5 },
    upstreamCredentials: { azure: "env:DEMO" },
  }, CTX);
  await store.createKey({
    id: "key_1",
    project: "demo",
    name: "ci",
    prefix: "abcdefgh",
    sha256: "1".repeat(64),
    policy: {},
    expiresAt: null,
  }, CTX);
  await store.updateKey("key_1", { disabledAt: 2_000 }, { ...CTX, at: 2_000 });
  await store.createToken({
    id: "tok_1",
    project: "demo",
    name: "nb",
    prefix: "qrstuvwx",
    sha256: "9".repeat(64),
    policy: {},
    expiresAt: 9_000,
    maxRequests: 10,
  }, CTX);
  await store.addTokenUses(new Map([["tok_1", 4]]));
  await store.close();
}

Deno.test({
  name: "azmw store migrate copies a SQLite store into PostgreSQL, and a second run copies nothing",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/azmw.db`;
      await sqliteFixture(file);
      const first = await runAzmw(["store", "migrate", "--from", file, "--to", "env:AZMW_TEST_DB"], {
        env: { AZMW_TEST_DB: db.url },
      });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /projects\s+1 copied, 0 already there/);
      assert.match(first.stdout, /audit\s+4 copied, 0 already there/);

      const pg = new PostgresStore(await openPostgresPool(db.url, { max: 2 }));
      const sqlite = openSqliteStore(file);
      const snapshot = async (s: PostgresStore | typeof sqlite) => ({
        projects: await s.listProjects({ limit: 10 }),
        keys: await s.listKeys({ limit: 10 }),
        tokens: await s.listTokens({ limit: 10 }),
        audit: (await s.listAudit({ limit: 10 })).items.map(({ id: _, ...e }) => e),
        key: await s.findCredential("1".repeat(64)),
        token: await s.findCredential("9".repeat(64)),
      });
      assert.deepEqual(await snapshot(pg), await snapshot(sqlite));

      const second = await runAzmw(["store", "migrate", "--from", file, "--to", db.url]);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /projects\s+0 copied, 1 already there/);
      assert.match(second.stdout, /audit\s+0 copied, 4 already there/);
      assert.deepEqual(await snapshot(pg), await snapshot(sqlite));
      await pg.close();
      await sqlite.close();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("azmw store migrate --help explains the copy; bad usage exits 2", async () => {
  const help = await runAzmw(["store", "migrate", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: azmw store migrate --from FILE --to URL/);
  assert.match(help.stdout, /running it twice copies nothing/);
  const missing = await runAzmw(["store", "migrate", "--from", "x.db"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /Option "--to" is required/);
  const bad = await runAzmw(["store", "migrate", "--from", "x.db", "--to", "mysql://h/db"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /expects a postgres:\/\/ URL or a secret reference, got "mysql:\/\/h\/db"/);
  const absent = await runAzmw(["store", "migrate", "--from", "/nonexistent/azmw.db", "--to", db.url]);
  assert.equal(absent.code, 1);
  assert.match(absent.stderr, /The SQLite store "\/nonexistent\/azmw.db" does not exist/);
});

dropAtEnd(db);

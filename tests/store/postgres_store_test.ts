import assert from "node:assert/strict";
import { PostgresStore } from "../../src/store/postgres.ts";
import { openPostgresPool, openPostgresStore } from "../../src/store/postgres_open.ts";
import { migratePostgres, PG_MIGRATIONS, PG_SCHEMA_VERSION } from "../../src/store/postgres_schema.ts";
import { dropAtEnd, freshDatabase } from "../_helpers/postgres.ts";
import { storeContract } from "./_contract.ts";
import { projectLifecycle } from "./project_lifecycle_test.ts";

const db = await freshDatabase();

const migrated = await openPostgresPool(db.url, { max: 1 });
await migratePostgres(migrated);
await migrated.end();

storeContract("PostgresStore", async () => {
  await db.truncate();
  return new PostgresStore(await openPostgresPool(db.url, { max: 4 }));
}, { sanitize: false });

storeContract("SharedStore (PostgreSQL with a credential snapshot)", async () => {
  await db.truncate();
  return await openPostgresStore(db.url, { max: 4, refreshMs: 60_000 });
}, { sanitize: false });

Deno.test({
  name: "migratePostgres() applies each version once when several replicas start at once",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const other = await freshDatabase();
    try {
      const pools = await Promise.all(
        Array.from({ length: 4 }, () => openPostgresPool(other.url, { max: 2 })),
      );
      const applied = await Promise.all(pools.map((sql) => migratePostgres(sql)));
      assert.deepEqual(applied.flat().sort(), PG_MIGRATIONS.map((m) => m.version));
      const rows = await pools[0]!`SELECT version FROM schema_migrations ORDER BY version`;
      assert.deepEqual(rows.map((r) => r.version), PG_MIGRATIONS.map((m) => m.version));
      assert.deepEqual(await migratePostgres(pools[0]!), []);
      await assert.rejects(
        migratePostgres(pools[0]!, { migrations: PG_MIGRATIONS.slice(0, 1) }),
        new RegExp(`schema is version ${PG_SCHEMA_VERSION}, newer than this azmw knows \\(1\\)`),
      );
      await Promise.all(pools.map((sql) => sql.end()));
    } finally {
      await other.drop();
    }
  },
});

Deno.test({
  name: "migratePostgres() leaves nothing behind when a migration fails, and names it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const other = await freshDatabase();
    const sql = await openPostgresPool(other.url, { max: 1 });
    try {
      const broken = [...PG_MIGRATIONS.slice(0, 1), {
        version: 2,
        name: "broken",
        sql: "CREATE TABLE nope (",
      }];
      await assert.rejects(
        migratePostgres(sql, { migrations: broken }),
        /Cannot apply store migration 2 \("broken"\)/,
      );
      const tables = await sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`;
      assert.deepEqual(tables.map((t) => t.tablename), [], "the whole run rolled back");
      assert.deepEqual(await migratePostgres(sql), PG_MIGRATIONS.map((m) => m.version));
    } finally {
      await sql.end();
      await other.drop();
    }
  },
});

Deno.test({
  name: "SharedStore follows changes made elsewhere past its overlap window, and reloads in full",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await db.truncate();
    let t = 1_000_000;
    const store = await openPostgresStore(db.url, { refreshMs: 600_000, now: () => t, fullReloadMs: 60_000 });
    const elsewhere = new PostgresStore(await openPostgresPool(db.url, { max: 1 }));
    const ctx = { actor: { role: "local" as const, id: "cli:t" }, at: 1 };
    await elsewhere.createProject({
      name: "p",
      description: "",
      metadata: {},
      policy: {},
      upstreamCredentials: {},
    }, ctx);
    const key = (id: string, sha: string) => ({
      id,
      project: "p",
      name: "",
      prefix: "abcdefgh",
      sha256: sha.repeat(64),
      policy: {},
      expiresAt: null,
    });
    await elsewhere.createKey(key("key_a", "a"), ctx);
    t += 6_000; // past the overlap: this refresh reads only rows newer than the first load's
    await store.refresh();
    assert.equal((await store.findCredential("a".repeat(64)))?.kind, "key");
    t += 6_000;
    await elsewhere.createKey(key("key_b", "b"), ctx);
    await store.refresh();
    assert.equal((await store.findCredential("b".repeat(64)))?.kind, "key");
    assert.equal((await store.getProject("p"))?.name, "p");
    t += 60_000; // a full reload
    await elsewhere.updateProject("p", { disabled: true }, ctx);
    await store.refresh();
    assert.equal((await store.getProject("p"))?.disabled, true);
    assert.deepEqual(
      [store.health().projects, store.health().keys, store.health().tokens, store.health().snapshotAgeMs],
      [1, 2, 0, 0],
    );
    await elsewhere.close();
    await store.close();
  },
});

Deno.test({
  name: "SharedStore hears a change made through another replica at once (NOTIFY), not at the next refresh",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await db.truncate();
    const a = await openPostgresStore(db.url, { refreshMs: 600_000 });
    const b = await openPostgresStore(db.url, { refreshMs: 600_000 });
    const ctx = { actor: { role: "local" as const, id: "cli:t" }, at: 1 };
    /** Resolves at the first change announcement after which `check` holds. */
    const heard = (check: () => Promise<boolean>) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("No change announcement within 10 s")), 10_000);
        const stop = b.onChange(async () => {
          if (await check()) {
            stop();
            clearTimeout(timer);
            resolve();
          }
        });
      });
    const digest = "c".repeat(64);
    const created = heard(async () => (await b.findCredential(digest)) !== null);
    await a.createProject(
      { name: "p", description: "", metadata: {}, policy: {}, upstreamCredentials: {} },
      ctx,
    );
    await a.createKey({
      id: "key_n",
      project: "p",
      name: "",
      prefix: "abcdefgh",
      sha256: digest,
      policy: {},
      expiresAt: null,
    }, ctx);
    await created;
    const revoked = heard(async () => {
      const found = await b.findCredential(digest);
      return found?.kind === "key" && found.key.disabledAt === 5;
    });
    await a.updateKey("key_n", { disabledAt: 5 }, ctx);
    await revoked; // with refreshes 10 minutes apart, only the announcement can bring it
    await a.close();
    await b.close();
  },
});

for (
  const [label, open] of [
    ["PostgresStore", async () => new PostgresStore(await openPostgresPool(db.url, { max: 4 }))],
    ["SharedStore", () => openPostgresStore(db.url, { max: 4, refreshMs: 600_000 })],
  ] as const
) {
  Deno.test({
    name: `${label}: a project keeps its id through a rename, and a delete revokes its callers`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      await db.truncate();
      const store = await open();
      await projectLifecycle(store);
      await store.close();
    },
  });
}

dropAtEnd(db);

import assert from "node:assert/strict";
import { PostgresStore } from "../../src/store/postgres.ts";
import { openPostgresPool, openPostgresStore } from "../../src/store/postgres_open.ts";
import { migratePostgres, PG_MIGRATIONS, PG_SCHEMA_VERSION } from "../../src/store/postgres_schema.ts";
import { dropAtEnd, freshDatabase } from "../_helpers/postgres.ts";
import { storeContract } from "./_contract.ts";

const db = await freshDatabase();

const migrated = openPostgresPool(db.url, { max: 1 });
await migratePostgres(migrated);
await migrated.end();

storeContract("PostgresStore", async () => {
  await db.truncate();
  return new PostgresStore(openPostgresPool(db.url, { max: 4 }));
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
      const pools = Array.from({ length: 4 }, () => openPostgresPool(other.url, { max: 2 }));
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

dropAtEnd(db);

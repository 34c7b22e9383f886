/**
 * A fresh PostgreSQL database per test file on the local server (127.0.0.1:5432, trust auth), dropped at
 * the end: `const db = await freshDatabase(); … await db.drop();`.
 */
import postgres from "postgres";

/** Where the test server is (override with AZMW_TEST_PG_URL, the maintenance database). */
export const PG_ADMIN_URL = Deno.env.get("AZMW_TEST_PG_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A database created for one test file. */
export interface TestDatabase {
  name: string;
  url: string;
  /** Empties every table of the store (between test cases). */
  truncate(): Promise<void>;
  /** Drops the database (ends its other connections first). */
  drop(): Promise<void>;
}

/** Creates `azmw_test_<random>` and returns its URL. */
export async function freshDatabase(): Promise<TestDatabase> {
  const name = `azmw_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    name,
    url,
    async truncate() {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        const tables = await sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public'
          AND tablename <> 'schema_migrations'`;
        if (tables.length > 0) {
          await sql.unsafe(
            `TRUNCATE ${tables.map((t) => t.tablename).join(", ")} RESTART IDENTITY CASCADE`,
          );
        }
      } finally {
        await sql.end();
      }
    },
    async drop() {
      const sql = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await sql.end();
      }
    },
  };
}

/** Registers a last test of the file that drops `db` (tests run in order, so it runs after the others). */
export function dropAtEnd(db: TestDatabase): void {
  Deno.test({
    name: `(cleanup) drop the test database ${db.name}`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => db.drop(),
  });
}

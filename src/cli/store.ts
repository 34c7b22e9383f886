/** `azmw store migrate`: moves a single-node install's SQLite store to PostgreSQL, idempotently. */
import { parseArgs } from "node:util";
import { isSecretRef, resolveSecret } from "../config/secrets.ts";
import { copySqliteToPostgres } from "../store/migrate_copy.ts";
import { isPostgresUrl, openPostgresPool } from "../store/postgres_open.ts";
import { type Command, UsageError, usageError } from "../core/command.ts";

/** Parsed arguments of `azmw store migrate`. */
export interface StoreMigrateArgs {
  from: string;
  to: string;
}

const HELP = `azmw store migrate — copy a SQLite store into PostgreSQL

Usage: azmw store migrate --from FILE --to URL

Copies projects, API keys, withering tokens (with their use counts) and the audit trail from the SQLite
store FILE into the PostgreSQL database URL, creating its tables first. Rows already in PostgreSQL are
left alone, so running it twice copies nothing the second time and never overwrites what replicas wrote
since (a row changed in SQLite after its first copy is not updated either: stop the single node first).
Point "manage.store" at URL afterwards.

Options:
  --from FILE   The SQLite store (manage.store, default <data_dir>/azmw.db)
  --to URL      postgres://user@host:5432/db, or a secret reference such as env:AZMW_DATABASE_URL
  -h, --help    Show this help

Examples:
  azmw store migrate --from .azmw/azmw.db --to postgres://azmw@db.internal:5432/azmw
  AZMW_DATABASE_URL=postgres://… azmw store migrate --from /var/lib/azmw/azmw.db --to env:AZMW_DATABASE_URL

Exit codes:
  0  everything is in PostgreSQL
  1  the copy failed (nothing was written: it runs in one transaction)
  2  bad usage
`;

/** Parses `azmw store migrate` arguments (pure). */
export function parseStoreMigrateArgs(argv: string[]): StoreMigrateArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { from: { type: "string" }, to: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw usageError(err);
  }
  if (!values.from) throw new UsageError('Option "--from" is required (the SQLite store file)');
  if (!values.to) throw new UsageError('Option "--to" is required (a postgres:// URL)');
  if (!isPostgresUrl(values.to) && !isSecretRef(values.to)) {
    throw new UsageError(`Option "--to" expects a postgres:// URL or a secret reference, got "${values.to}"`);
  }
  return { from: values.from, to: values.to };
}

/** The `store migrate` subcommand. */
export const storeMigrateCommand: Command<StoreMigrateArgs> = {
  name: "store migrate",
  summary: "Copy a SQLite store (projects, keys, tokens, audit) into PostgreSQL, idempotently",
  help: HELP,
  parseArgs: parseStoreMigrateArgs,
  async run(args, io) {
    try {
      await Deno.stat(args.from);
    } catch {
      io.stderr(`azmw store migrate: The SQLite store "${args.from}" does not exist\n`);
      return 1;
    }
    const url = isSecretRef(args.to) ? await resolveSecret(args.to, { env: io.env, path: "--to" }) : args.to;
    if (!isPostgresUrl(url)) throw new UsageError(`Option "--to" does not resolve to a postgres:// URL`);
    const sql = await openPostgresPool(url, { max: 1 });
    try {
      const stats = await copySqliteToPostgres(args.from, sql);
      for (const [table, s] of Object.entries(stats)) {
        io.stdout(`${table.padEnd(9)} ${String(s.copied).padStart(6)} copied, ${s.present} already there\n`);
      }
      return 0;
    } finally {
      await sql.end({ timeout: 5 });
    }
  },
};

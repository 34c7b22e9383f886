/**
 * `azmw logs decrypt`: writes a day's (or a range's) records as plain JSONL with their bodies opened.
 * A record that does not open is reported on stderr with its id and written with the field still sealed;
 * a torn or unreadable line is skipped with a warning. Nothing about one line stops the others.
 */
import { parseArgs } from "node:util";
import { DayClock, dayRange, parseDay } from "../logs/day.ts";
import { openRecord } from "../logs/open.ts";
import { dayFiles, readRecords } from "../logs/reader.ts";
import type { LogRecord } from "../logs/record.ts";
import { type CliIo, type Command, UsageError, usageError } from "../core/command.ts";
import { openSource, SOURCE_HELP, SOURCE_OPTIONS, type SourceArgs, sourceArgs } from "./logs_source.ts";
import { FILTER_OPTIONS, filterArgs, recordFilter, type RecordFilters } from "./logs_filter.ts";

/** Parsed arguments of `azmw logs decrypt`. */
export interface LogsDecryptArgs extends SourceArgs, RecordFilters {
  /** A single day, or the start of a range. */
  from: string | undefined;
  /** End of the range (included); `undefined` means today. */
  to: string | undefined;
  single: boolean;
  out: string | undefined;
  pretty: boolean;
}

const HELP = `Write request log records as plain JSON lines, with their bodies decrypted.

Usage: azmw logs decrypt <YYYYMMDD> [options]
       azmw logs decrypt --from <YYYYMMDD> [--to <YYYYMMDD>] [options]

Reads <logs dir>/<day>/requests-*.jsonl (every instance, rotated parts in order) and writes each record
with "request" and "response" opened: the logged JSON, or {"truncated": true, "text": ...} for a body cut
at logs.max_body_bytes. A record that cannot be opened (wrong or deleted key, tampered data) is reported
on stderr with its id and written with that field still sealed; a torn last line left by a crash is
skipped with a warning. The output holds plaintext bodies: keep it safe.

Options:
      --from DAY        First day of a range (YYYYMMDD)
      --to DAY          Last day of a range, included (default: today)
  -o, --out FILE        Write to FILE (created with mode 0600) instead of stdout
      --pretty          Indented JSON instead of one record per line
      --model NAME      Only records of this model or deployment
      --key ID          Only records of this caller key id
      --project NAME    Only records of this project
      --status LIST     Only these statuses, comma-separated: 200, 4xx, 5xx, client_closed
${SOURCE_HELP}
  -h, --help            Show this help

Examples:
  azmw logs decrypt 20251214 > day.jsonl
  azmw logs decrypt --from 20251201 --to 20251207 --status 5xx --pretty
  azmw logs decrypt 20251214 -c config.yaml --model gpt-4o --out /secure/day.jsonl

Exit codes:
  0  every record was written with its bodies opened
  1  some record could not be opened (see stderr), or the day does not exist, or another error
  2  bad command line
`;

/** The `logs decrypt` subcommand. */
export const logsDecryptCommand: Command<LogsDecryptArgs> = {
  name: "logs decrypt",
  summary: "Write a day's request log as plain JSONL with bodies decrypted",
  help: HELP,
  parseArgs(argv) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        options: {
          ...SOURCE_OPTIONS,
          ...FILTER_OPTIONS,
          from: { type: "string" },
          to: { type: "string" },
          out: { type: "string", short: "o" },
          pretty: { type: "boolean", default: false },
          help: { type: "boolean", short: "h", default: false },
        },
        strict: true,
        allowPositionals: true,
      });
    } catch (err) {
      throw usageError(err);
    }
    const { values, positionals } = parsed;
    if (values.help) return { ...emptyArgs(), single: true };
    if (positionals.length > 1) throw new UsageError(`Unexpected argument "${positionals[1]}"`);
    const day = positionals[0];
    if (day !== undefined && (values.from !== undefined || values.to !== undefined)) {
      throw new UsageError('Give a day or "--from"/"--to", not both');
    }
    if (day === undefined && values.from === undefined) {
      throw new UsageError(
        values.to === undefined ? "Missing the day (YYYYMMDD)" : 'Option "--to" needs "--from"',
      );
    }
    if (values.out === "") throw new UsageError('Option "--out" needs a file path');
    const check = (s: string | undefined) => {
      try {
        return s === undefined ? undefined : parseDay(s);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    };
    const from = check(day ?? values.from);
    const to = check(day ?? values.to);
    if (from !== undefined && to !== undefined && from > to) {
      throw new UsageError(`Invalid day range: "${from}" is after "${to}"`);
    }
    return {
      ...sourceArgs(values),
      from,
      to,
      single: day !== undefined,
      out: values.out,
      pretty: values.pretty,
      ...filterArgs(values),
    };
  },
  run: runDecrypt,
};

function emptyArgs(): LogsDecryptArgs {
  return {
    config: undefined,
    keyFiles: [],
    dataDir: undefined,
    dir: undefined,
    instance: undefined,
    from: undefined,
    to: undefined,
    single: false,
    out: undefined,
    pretty: false,
    model: undefined,
    key: undefined,
    project: undefined,
    status: undefined,
  };
}

async function runDecrypt(args: LogsDecryptArgs, io: CliIo): Promise<number> {
  const source = await openSource(args, io);
  const from = args.from!;
  const to = args.to ?? new DayClock(source.timezone).dayOf(Date.now());
  if (from > to) throw new UsageError(`Invalid day range: "${from}" is after today ("${to}")`);
  const files: string[] = [];
  for (const day of dayRange(from, to)) {
    try {
      files.push(
        ...await dayFiles(source.dir, day, args.instance === undefined ? {} : { instance: args.instance }),
      );
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      if (args.single) {
        io.stderr(
          `azmw logs decrypt: No request logs for ${day}: folder "${source.dir}/${day}" does not exist\n`,
        );
        return 1;
      }
    }
  }
  if (files.length === 0) {
    const what = args.single ? `for ${from}` : `from ${from} to ${to}`;
    io.stderr(`azmw logs decrypt: No request logs ${what} in "${source.dir}"\n`);
    return 1;
  }
  if (source.keyring.size === 0) {
    io.stderr(`Warning: no log key found (looked in ${source.lookedIn.join(", ")}); bodies stay sealed\n`);
  }
  const out = args.out === undefined
    ? null
    : await Deno.open(args.out, { write: true, create: true, truncate: true, mode: 0o600 });
  const writer = bufferedWriter(
    out ? (t) => writeAll(out, new TextEncoder().encode(t)) : (t) => io.stdout(t),
  );
  const keep = recordFilter(args);
  let failed = 0;
  let written = 0;
  try {
    for await (const { record } of readRecords(files, (m) => io.stderr(`Warning: ${m}\n`))) {
      if (!keep(record as LogRecord)) continue;
      const opened = await openRecord(record, source.keyring);
      for (const err of opened.errors) io.stderr(`${err.message}\n`);
      if (opened.errors.length > 0) failed++;
      await writer.write(
        args.pretty ? `${JSON.stringify(opened.record, null, 2)}\n` : `${JSON.stringify(opened.record)}\n`,
      );
      written++;
    }
    await writer.flush();
  } finally {
    out?.close();
  }
  if (args.out !== undefined) io.stderr(`Wrote ${written} records to ${args.out}\n`);
  if (failed > 0) io.stderr(`${failed} of ${written} records could not be fully decrypted\n`);
  return failed > 0 ? 1 : 0;
}

/** Collects output into ~64 KiB writes. */
function bufferedWriter(sink: (text: string) => unknown) {
  let buf = "";
  return {
    async write(text: string) {
      buf += text;
      if (buf.length >= 65536) await this.flush();
    },
    async flush() {
      if (buf === "") return;
      const text = buf;
      buf = "";
      await sink(text);
    },
  };
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += await file.write(bytes.subarray(done));
}

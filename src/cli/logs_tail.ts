/**
 * `azmw logs tail [-f]`: today's latest records as one line of metadata each, then (with `-f`) new ones as
 * they are written, until interrupted; `--bodies` also opens bodies with the available keys.
 */
import { printable, printableJson } from "../printable.ts";
import { parseArgs } from "node:util";
import { DayClock } from "../logs/day.ts";
import { LogFollower } from "../logs/follow.ts";
import { openRecord } from "../logs/open.ts";
import { parseLine, STARTED_ENTRY } from "../logs/reader.ts";
import type { LogRecord } from "../logs/record.ts";
import { type CliIo, type Command, intOption, usageError } from "./command.ts";
import { FILTER_OPTIONS, filterArgs, recordFilter, type RecordFilters } from "./logs_filter.ts";
import { openSource, SOURCE_HELP, SOURCE_OPTIONS, type SourceArgs, sourceArgs } from "./logs_source.ts";

/** Parsed arguments of `azmw logs tail`. */
export interface LogsTailArgs extends SourceArgs, RecordFilters {
  follow: boolean;
  lines: number;
  bodies: boolean;
  json: boolean;
  intervalMs: number;
}

const HELP = `Show the latest request log records of today, and follow new ones.

Usage: azmw logs tail [-f] [options]

Prints one line of metadata per record (time, status, model, caller, latency, tokens, id); bodies stay
sealed unless --bodies is given and a key is available. With -f it keeps printing records as they are
written, across rotated files and into the next day, until interrupted (Ctrl-C).

Options:
  -f, --follow          Keep printing new records
  -n, --lines N         How many of today's latest records to print first (default 10)
      --bodies          Also print request and response bodies, decrypted
      --json            Print each record as a JSON line instead of a summary line
      --interval MS     How often -f looks for new records, in ms (default 500)
      --model NAME      Only records of this model or deployment
      --key ID          Only records of this caller key id
      --project NAME    Only records of this project
      --status LIST     Only these statuses, comma-separated: 200, 4xx, 5xx, client_closed
${SOURCE_HELP}
  -h, --help            Show this help

Examples:
  azmw logs tail -f
  azmw logs tail -n 50 --status 5xx -c config.yaml
  azmw logs tail -f --bodies --json | jq .response
`;

/** The `logs tail` subcommand. */
export const logsTailCommand: Command<LogsTailArgs> = {
  name: "logs tail",
  summary: "Show today's latest request log records; -f follows new ones",
  help: HELP,
  parseArgs(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          ...SOURCE_OPTIONS,
          ...FILTER_OPTIONS,
          follow: { type: "boolean", short: "f", default: false },
          lines: { type: "string", short: "n" },
          bodies: { type: "boolean", default: false },
          json: { type: "boolean", default: false },
          interval: { type: "string" },
          help: { type: "boolean", short: "h", default: false },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      throw usageError(err);
    }
    return {
      ...sourceArgs(values),
      follow: values.follow,
      lines: intOption("lines", values.lines, 0, 100_000) ?? 10,
      bodies: values.bodies,
      json: values.json,
      intervalMs: intOption("interval", values.interval, 10, 60_000) ?? 500,
      ...filterArgs(values),
    };
  },
  run: runTail,
};

/** One summary line of a record. */
export function summaryLine(r: LogRecord): string {
  const caller = r.caller?.key_id
    ? `${r.caller.key_id}${r.caller.project ? `/${r.caller.project}` : ""}`
    : "-";
  const tokens = r.usage ? `${r.usage.prompt_tokens}+${r.usage.completion_tokens} tok` : "- tok";
  const error = r.error ? `  ${r.error.type}: ${r.error.message}` : "";
  // Every field may come from a caller or a tampered file: shown with control characters escaped.
  return printable(
    `${r.ts}  ${String(r.status).padEnd(3)}  ${r.model ?? "-"}  ${caller}  ${r.latency_ms}ms  ${tokens}  ` +
      `${r.stream ? "stream  " : ""}${r.id}${error}`,
  );
}

async function runTail(args: LogsTailArgs, io: CliIo): Promise<number> {
  const source = await openSource(args, io, { keys: args.bodies });
  if (args.bodies && source.keyring.size === 0) {
    io.stderr(`Warning: no log key found (looked in ${source.lookedIn.join(", ")}); bodies stay sealed\n`);
  }
  const days = new DayClock(source.timezone);
  const follower = new LogFollower(
    source.dir,
    args.instance === undefined ? {} : { instance: args.instance },
  );
  const keep = recordFilter(args);
  const show = async (texts: { text: string; file: string }[], limit: number) => {
    const records: LogRecord[] = [];
    for (const { text, file } of texts) {
      const parsed = parseLine(text);
      if (parsed === STARTED_ENTRY) continue;
      if (typeof parsed === "string") {
        io.stderr(printable(`Warning: Skipped a line of ${file}: ${parsed}`) + "\n");
      } else if (keep(parsed)) records.push(parsed);
    }
    for (const r of records.slice(Math.max(0, records.length - limit))) {
      io.stdout(await render(r, args, source.keyring, io));
    }
  };
  let followed = [days.dayOf(Date.now())];
  await show(await follower.poll(followed[0]!), args.lines);
  while (args.follow && !io.signal.aborted) {
    await sleep(args.intervalMs, io.signal);
    if (io.signal.aborted) break;
    const today = days.dayOf(Date.now());
    // Calls started before midnight are still written to yesterday's folder for a while.
    if (!followed.includes(today)) followed = [followed.at(-1)!, today];
    for (const day of followed) await show(await follower.poll(day), Infinity);
  }
  return 0;
}

async function render(
  r: LogRecord,
  args: LogsTailArgs,
  keyring: Parameters<typeof openRecord>[1],
  io: CliIo,
) {
  const opened = args.bodies ? await openRecord(r, keyring) : null;
  for (const err of opened?.errors ?? []) io.stderr(`${printable(err.message)}\n`);
  if (args.json) return `${printableJson(JSON.stringify(opened?.record ?? r))}\n`;
  let text = `${summaryLine(r)}\n`;
  if (opened) {
    for (const field of ["request", "response"] as const) {
      if (opened.record[field] !== null) {
        text += `  ${field}: ${printable(JSON.stringify(opened.record[field]))}\n`;
      }
    }
  }
  return text;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

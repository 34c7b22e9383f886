/**
 * `azmw cost report`: spend, tokens and requests over a range of log days, grouped by day, model, key,
 * project or upstream, as a table, CSV, JSON or one self-contained HTML page. Reads only the plain
 * metadata of the request logs: no key, no network.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.ts";
import { DEFAULTS } from "../config/schema.ts";
import { PriceTable } from "../cost/pricing.ts";
import { buildReport, GROUP_BY, type GroupBy } from "../cost/report.ts";
import {
  REPORT_FORMATS,
  reportCsv,
  type ReportFormat,
  reportJson,
  reportTable,
} from "../cost/report_format.ts";
import { reportHtml } from "../cost/report_html.ts";
import { addDays, DayClock, dayRange, parseDay } from "../logs/day.ts";
import { CallRecordTable } from "../cost/call_records.ts";
import { openPostgresPool, postgresUrlOf } from "../store/postgres_open.ts";
import { type Command, UsageError, usageError } from "../core/command.ts";

/** Parsed arguments of `azmw cost report`. */
export interface CostReportArgs {
  /** First day (`YYYYMMDD`); default 29 days before `to`. */
  from: string | undefined;
  /** Last day, included; default today. */
  to: string | undefined;
  by: GroupBy;
  format: ReportFormat;
  config: string | undefined;
  logsDir: string | undefined;
  out: string | undefined;
}

/** Days in the default range. */
const DEFAULT_DAYS = 30;

const HELP = `Report spend, tokens and requests from the request logs.

Usage: azmw cost report [--from YYYYMMDD] [--to YYYYMMDD] [--by day|model|key|project|upstream]
                        [--format table|csv|json|html] [options]

Reads the plain metadata of <logs dir>/<day>/requests-*.jsonl (every instance): no log key and no
network are needed. Each group shows requests, prompt, cached, completion and reasoning tokens, the
cost in EUR and the average cost per request, with a total. Records logged without a cost (older logs)
are priced from their usage with the current price table and marked with "*". The html format is one
self-contained page with charts of spend per day and per model.

When the config's manage.store is PostgreSQL (several replicas), the report reads every replica's
records from there instead; --logs-dir reads the files of one folder.

Options:
      --from DAY         First day, YYYYMMDD (default: 29 days before --to)
      --to DAY           Last day, included, YYYYMMDD (default: today in server.timezone)
      --by DIM           Group by day, model, key, project or upstream (default: day)
      --format FMT       table, csv, json or html (default: table)
  -c, --config FILE      Config file: its logs.dir, server.timezone and pricing (default: $AZMW_CONFIG;
                         without one: ./.azmw/logs, UTC and the shipped prices)
      --logs-dir DIR     Log folder (default: logs.dir of the config, else ./.azmw/logs)
  -o, --out FILE         Write the report to FILE instead of stdout
  -h, --help             Show this help

Examples:
  azmw cost report
  azmw cost report --from 20261101 --to 20261130 --by model
  azmw cost report -c config.yaml --by project --format csv > projects.csv
  azmw cost report --by model --format html --out cost.html

Exit codes:
  0  the report was written
  1  no request logs in the range, or another error
  2  bad command line
`;

function day(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDay(value);
  } catch (err) {
    throw new UsageError(`Option "--${name}": ${(err as Error).message}`);
  }
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (allowed.includes(value as T)) return value as T;
  const list = allowed.map((a) => `"${a}"`).join(", ");
  throw new UsageError(`Option "--${name}" expects one of ${list}, got "${value}"`);
}

/** Parses `azmw cost report` arguments (pure). */
export function parseCostReportArgs(argv: string[]): CostReportArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        from: { type: "string" },
        to: { type: "string" },
        by: { type: "string", default: "day" },
        format: { type: "string", default: "table" },
        config: { type: "string", short: "c" },
        "logs-dir": { type: "string" },
        out: { type: "string", short: "o" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw usageError(err);
  }
  const v = parsed.values;
  for (const name of ["config", "logs-dir", "out"] as const) {
    if (v[name] === "") throw new UsageError(`Option "--${name}" needs a value`);
  }
  const from = day("from", v.from);
  const to = day("to", v.to);
  if (from !== undefined && to !== undefined && from > to) {
    throw new UsageError(`Invalid day range: "${from}" is after "${to}"`);
  }
  return {
    from,
    to,
    by: oneOf("by", v.by, GROUP_BY),
    format: oneOf("format", v.format, REPORT_FORMATS),
    config: v.config,
    logsDir: v["logs-dir"],
    out: v.out,
  };
}

/** The `cost report` subcommand. */
export const costReportCommand: Command<CostReportArgs> = {
  name: "cost report",
  summary: "Report spend, tokens and requests from the request logs (table, CSV, JSON, HTML)",
  help: HELP,
  parseArgs: parseCostReportArgs,
  async run(args, io) {
    const configPath = args.config ?? (io.env("AZMW_CONFIG") || undefined);
    const config = configPath ? await loadConfig(configPath) : null;
    const warn = (m: string) => io.stderr(`Warning: ${m}\n`);
    const prices = new PriceTable(config?.pricing, { warn });
    const dir = args.logsDir ?? config?.logs.dir ?? DEFAULTS.logs.dir;
    const to = args.to ?? new DayClock(config?.server.timezone ?? DEFAULTS.timezone).dayOf(Date.now());
    const from = args.from ?? addDays(to, 1 - DEFAULT_DAYS);
    if (from > to) throw new UsageError(`Invalid day range: "${from}" is after "${to}"`);
    const url = args.logsDir === undefined && config ? await postgresUrlOf(config, { env: io.env }) : null;
    const sql = url === null ? null : await openPostgresPool(url, { max: 2 });
    let report;
    try {
      const table = sql === null ? null : new CallRecordTable(sql);
      report = await buildReport(dir, {
        days: dayRange(from, to),
        by: args.by,
        prices,
        warn,
        ...(table ? { source: (day, onRecord) => table.scanDay(day, onRecord) } : {}),
      });
    } finally {
      await sql?.end({ timeout: 5 });
    }
    if (report.files === 0) {
      const where = sql === null ? `in "${dir}"` : "in PostgreSQL (manage.store)";
      io.stderr(`azmw cost report: No request logs from ${from} to ${to} ${where}\n`);
      return 1;
    }
    const text = args.format === "json"
      ? reportJson(report)
      : args.format === "csv"
      ? reportCsv(report)
      : args.format === "html"
      ? reportHtml(report)
      : reportTable(report);
    if (args.out === undefined) io.stdout(text);
    else {
      await Deno.writeTextFile(args.out, text);
      io.stderr(`Wrote the ${args.format} report to ${args.out}\n`);
    }
    return 0;
  },
};

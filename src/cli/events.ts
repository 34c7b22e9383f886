/** `azmw events replay`: re-emits `azmw.call.completed` from the request logs to one sink. */
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.ts";
import { EventMetrics } from "../events/metrics.ts";
import { replayCalls } from "../events/replay.ts";
import { REAL_RETRY_DEPS } from "../events/retry.ts";
import { openNamedSink } from "../events/setup.ts";
import { parseDay } from "../logs/day.ts";
import { type CliIo, type Command, UsageError, usageError } from "./command.ts";

/** Parsed `events replay` options. */
export interface EventsReplayArgs {
  from: string;
  to: string;
  sink: string;
  config: string | undefined;
  logsDir: string | undefined;
}

const HELP = `Usage: azmw events replay --from YYYYMMDD --to YYYYMMDD --sink NAME [options]

Re-emits azmw.call.completed for every call in the request logs of those days (both included, every
instance) to one sink of events.sinks, directly (not through the bus), in the sink's batches and with
its retries; what cannot be delivered goes to the dead-letter file. Each event has the call's id and
the logging instance's source, the same as the live event, so receivers de-duplicate. Only the plain
metadata of the records is read: no log key is needed.

Options:
      --from DAY         First day, YYYYMMDD
      --to DAY           Last day, included, YYYYMMDD
      --sink NAME        The sink to deliver to (its "name", default its type)
  -c, --config FILE      Config file (default: $AZMW_CONFIG)
      --logs-dir DIR     Log folder (default: logs.dir of the config)
  -h, --help             Show this help

Example:
  azmw events replay --from 20261201 --to 20261203 --sink webhook -c config.yaml
`;

/** The `events replay` subcommand. */
export const eventsReplayCommand: Command<EventsReplayArgs> = {
  name: "events replay",
  summary: "Re-emit azmw.call.completed from the request logs to a sink",
  help: HELP,
  parseArgs(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          from: { type: "string" },
          to: { type: "string" },
          sink: { type: "string" },
          config: { type: "string", short: "c" },
          "logs-dir": { type: "string" },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      throw usageError(err);
    }
    for (const name of ["from", "to", "sink"] as const) {
      if (!values[name]) throw new UsageError(`Option "--${name}" is required`);
    }
    const day = (name: "from" | "to") => {
      try {
        return parseDay(values[name]!);
      } catch (err) {
        throw new UsageError(`Option "--${name}": ${(err as Error).message}`);
      }
    };
    const from = day("from");
    const to = day("to");
    if (from > to) throw new UsageError(`Option "--from" ${from} is after "--to" ${to}`);
    return { from, to, sink: values.sink!, config: values.config, logsDir: values["logs-dir"] };
  },
  run: runReplay,
};

async function runReplay(args: EventsReplayArgs, io: CliIo): Promise<number> {
  const path = args.config ?? io.env("AZMW_CONFIG");
  if (!path) throw new UsageError('No config file: pass "--config FILE" or set AZMW_CONFIG');
  const config = await loadConfig(path);
  const warn = (m: string) => io.stderr(`azmw events replay: ${m}\n`);
  const { config: sinkConfig, sink, deadLetter } = await openNamedSink(config, args.sink, {
    warn,
    legacy: false,
    deps: { env: (n) => io.env(n) },
  });
  if (sinkConfig.types && !sinkConfig.types.includes("azmw.call.completed")) {
    io.stderr(
      `azmw events replay: sink "${sink.name}" does not take azmw.call.completed (see its "types")\n`,
    );
    return 1;
  }
  const stats = await replayCalls(sink, {
    logDir: args.logsDir ?? config.logs.dir,
    from: args.from,
    to: args.to,
    batchSize: sinkConfig.batchSize,
    policy: sinkConfig,
    deps: REAL_RETRY_DEPS,
    deadLetter,
    metrics: new EventMetrics(),
    warn,
    signal: io.signal,
  });
  await sink.close?.();
  io.stdout(
    `Replayed ${stats.read} call(s) from ${stats.days} day(s) to sink "${sink.name}": ` +
      `${stats.delivered} delivered, ${stats.deadLettered} dead-lettered` +
      (stats.deadLettered > 0 ? ` (see ${deadLetter.pathOf(sink.name)})` : "") + "\n",
  );
  return stats.deadLettered > 0 ? 1 : 0;
}

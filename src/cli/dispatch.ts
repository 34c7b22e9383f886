/**
 * `azmw dispatch --sink NAME`: delivers events from the gateways' Redis Streams to one sink, as its own
 * process, until SIGINT/SIGTERM. Several dispatchers of a sink share the work through a consumer group.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.ts";
import { isSecretRef, resolveSecret } from "../config/secrets.ts";
import { Dispatcher } from "../events/dispatcher.ts";
import { EventMetrics } from "../events/metrics.ts";
import { connectRedis } from "../events/redis_client.ts";
import { REAL_RETRY_DEPS } from "../events/retry.ts";
import { openNamedSink } from "../events/setup.ts";
import { type CliIo, type Command, intOption, UsageError, usageError } from "../core/command.ts";

/** Parsed `dispatch` options. */
export interface DispatchArgs {
  sink: string;
  config: string | undefined;
  consumer: string | undefined;
  blockMs: number;
}

const HELP = `Usage: azmw dispatch --sink NAME [options]

Delivers events to one sink of events.sinks, as its own process: reads every gateway's Redis Stream
(events.bus: redis, shared.redis) through the consumer group "sink:NAME", delivers in batches with the
sink's retries, and acknowledges an entry once delivered (or written to the dead-letter file). Run
several dispatchers of a sink to share the work; entries left pending by a dispatcher that died are
claimed by another after events.redis.claim_idle_ms. Delivery is at least once: a duplicate carries
the same CloudEvents id. On SIGINT/SIGTERM it stops reading, lets the delivery in progress finish for
up to 10 s, prints what it delivered and exits; entries it could not finish stay pending.

Options:
      --sink NAME        The sink to deliver to (its "name", default its type)
  -c, --config FILE      Config file (default: $AZMW_CONFIG)
      --consumer NAME    Consumer name in the group (default: <host>-<pid>)
      --block-ms MS      How long one read waits for new entries (default 1000)
  -h, --help             Show this help

Examples:
  azmw dispatch --sink webhook -c config.yaml
  azmw dispatch --sink otlp --consumer otlp-a
`;

/** The `dispatch` subcommand. */
export const dispatchCommand: Command<DispatchArgs> = {
  name: "dispatch",
  summary: "Deliver events from the Redis Stream to one sink (its own process)",
  help: HELP,
  parseArgs(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          sink: { type: "string" },
          config: { type: "string", short: "c" },
          consumer: { type: "string" },
          "block-ms": { type: "string" },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      throw usageError(err);
    }
    if (!values.sink) throw new UsageError('Option "--sink" is required');
    return {
      sink: values.sink,
      config: values.config,
      consumer: values.consumer,
      blockMs: intOption("block-ms", values["block-ms"], 1, 60_000) ?? 1_000,
    };
  },
  run: runDispatch,
};

async function runDispatch(args: DispatchArgs, io: CliIo): Promise<number> {
  const path = args.config ?? io.env("AZMW_CONFIG");
  if (!path) throw new UsageError('No config file: pass "--config FILE" or set AZMW_CONFIG');
  const config = await loadConfig(path);
  const events = config.events;
  if (events?.bus !== "redis") {
    io.stderr(
      `azmw dispatch: events.bus is "${events?.bus ?? "memory"}" in ${path}; dispatch needs "redis"\n`,
    );
    return 1;
  }
  const warn = (m: string) => io.stderr(`azmw dispatch: ${m}\n`);
  const env = (n: string) => io.env(n);
  const { config: sinkConfig, sink, deadLetter } = await openNamedSink(config, args.sink, {
    warn,
    legacy: false,
    deps: { env },
  });
  const ref = config.shared!.redis!;
  const url = isSecretRef(ref) ? await resolveSecret(ref, { env, path: "shared.redis" }) : ref;
  const { client, ready } = await connectRedis(url, { warn });
  await ready;
  const consumer = args.consumer ?? `${Deno.hostname()}-${Deno.pid}`;
  const metrics = new EventMetrics();
  const dispatcher = new Dispatcher({
    client,
    sink,
    prefix: events.redis.prefix,
    consumer,
    policy: sinkConfig,
    batchSize: sinkConfig.batchSize,
    claimIdleMs: events.redis.claimIdleMs,
    blockMs: args.blockMs,
    deadLetter,
    metrics,
    deps: REAL_RETRY_DEPS,
    ...(sinkConfig.types ? { types: sinkConfig.types } : {}),
    warn,
  });
  io.stdout(
    `azmw dispatch: delivering to sink "${sink.name}" as consumer "${consumer}" of "${dispatcher.group}"\n`,
  );
  await dispatcher.run(io.signal);
  await sink.close?.();
  client.destroy();
  const by = { sink: sink.name };
  const dead = ["failed", "refused"].reduce(
    (n, reason) => n + metrics.deadLettered.get({ ...by, reason }),
    0,
  );
  io.stdout(
    `azmw dispatch: stopped; ${metrics.delivered.get(by)} event(s) delivered, ${dead} dead-lettered, ` +
      `${metrics.retried.get(by)} retries\n`,
  );
  return 0;
}

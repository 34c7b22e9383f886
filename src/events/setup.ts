/**
 * What the `dispatch` and `events replay` commands share: finding a configured sink by name, and the
 * dead-letter writer and retry policy of that sink.
 */
import type { Config, SinkConfig } from "../config/types.ts";
import { EVENTS_DEFAULTS } from "../config/schema_events.ts";
import { DeadLetter } from "./dead_letter.ts";
import { BUDGET_WEBHOOK_SINK, buildSink, sinkConfigs, type SinkDeps } from "./sinks.ts";
import type { Sink } from "./sink.ts";

/** A sink picked by name, built, with its settings and dead-letter writer. */
export interface NamedSink {
  config: SinkConfig;
  sink: Sink;
  deadLetter: DeadLetter;
}

/** Finds and builds the sink `name`; throws a `RangeError` naming the configured ones when unknown. */
export async function openNamedSink(
  config: Config,
  name: string,
  options: { deps?: SinkDeps; warn?: (message: string) => void; legacy?: boolean } = {},
): Promise<NamedSink> {
  const all = sinkConfigs(config).filter((s) => options.legacy !== false || s.name !== BUDGET_WEBHOOK_SINK);
  const index = all.findIndex((s) => s.name === name);
  const found = all[index];
  if (found === undefined) {
    const names = all.map((s) => `"${s.name}"`).join(", ") || "none";
    throw new RangeError(`Unknown sink "${name}": the configured sinks are ${names}`);
  }
  const path = found.name === BUDGET_WEBHOOK_SINK ? "budget.webhook" : `events.sinks[${index}]`;
  const sink = await buildSink(found, {
    path,
    instance: config.server.instance,
    timezone: config.server.timezone,
    ...(options.deps ? { deps: options.deps } : {}),
  });
  const deadLetter = new DeadLetter(config.events?.deadLetterDir ?? EVENTS_DEFAULTS.deadLetterDir, {
    ...(options.warn ? { warn: options.warn } : {}),
  });
  return { config: found, sink, deadLetter };
}

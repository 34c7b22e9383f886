/**
 * Schema of the `events` section: the bus (`memory` or `redis`), its sinks (`webhook`, `file`, `otlp`)
 * with their queue, batching and retry settings, and where undeliverable events are kept.
 */
import {
  def,
  type Field,
  hidden,
  int,
  type Issues,
  list,
  oneOf,
  opt,
  record,
  refine,
  str,
  tagged,
  unique,
} from "./schema_helpers.ts";
import { describeBadRef, isSecretRef, SECRET_REF_EXPECTED } from "./secrets.ts";
import type { EventsConfig, EventType, SharedConfig, SinkConfig } from "./types.ts";
import { WEBHOOK_HEADERS, webhookUrl } from "./schema_webhook.ts";

/** Every event type, in documentation order. */
export const EVENT_TYPES: readonly EventType[] = [
  "azmw.call.completed",
  "azmw.budget.threshold",
  "azmw.caller.changed",
  "azmw.upstream.breaker",
  "azmw.config.reloaded",
  "azmw.log.dropped",
];

/** Defaults of the `events` section and of every sink. */
export const EVENTS_DEFAULTS = {
  deadLetterDir: "./events/dead-letter",
  watchIntervalMs: 1_000,
  queueSize: 10_000,
  batchSize: 100,
  flushIntervalMs: 1_000,
  maxAttempts: 6,
  backoffMs: 500,
  maxBackoffMs: 30_000,
  timeoutMs: 10_000,
  redis: { prefix: "azmw:events:", maxLen: 1_000_000, claimIdleMs: 60_000 },
} as const;

const secret = (): Field<string> => hidden({ test: isSecretRef }, SECRET_REF_EXPECTED, describeBadRef);

const D = EVENTS_DEFAULTS;
const DELIVERY = {
  name: opt(str(/^[a-z0-9_-]{1,64}$/, "a name of a-z0-9_- (up to 64)")),
  types: opt(list(oneOf(EVENT_TYPES))),
  queue_size: def(int(1, 10_000_000), D.queueSize),
  batch_size: def(int(1, 10_000), D.batchSize),
  flush_interval_ms: def(int(1, 3_600_000), D.flushIntervalMs),
  max_attempts: def(int(1, 100), D.maxAttempts),
  backoff_ms: def(int(1, 3_600_000), D.backoffMs),
  max_backoff_ms: def(int(1, 86_400_000), D.maxBackoffMs),
  timeout_ms: def(int(1, 600_000), D.timeoutMs),
};

const named = <T extends { type: string; name?: string }>(s: T) => ({ ...s, name: s.name ?? s.type });

const SINK = tagged<SinkConfig>("type", {
  webhook: refine(
    record({
      ...DELIVERY,
      type: oneOf(["webhook"]),
      url: webhookUrl(false),
      secret: opt(secret()),
      headers: def(WEBHOOK_HEADERS, {}),
      body: def(oneOf(["batch", "data"]), "batch"),
    }),
    named,
  ),
  file: refine(record({ ...DELIVERY, type: oneOf(["file"]), path: str() }), named),
  otlp: refine(
    record({
      ...DELIVERY,
      type: oneOf(["otlp"]),
      endpoint: webhookUrl(true),
      headers: def(WEBHOOK_HEADERS, {}),
    }),
    (s) => named({ ...s, endpoint: isSecretRef(s.endpoint) ? s.endpoint : s.endpoint.replace(/\/+$/, "") }),
  ),
});

/** The `events` section. */
export const EVENTS: Field<EventsConfig> = record({
  bus: def(oneOf(["memory", "redis"]), "memory"),
  sinks: def(list(SINK), []),
  dead_letter_dir: def(str(), D.deadLetterDir),
  watch_interval_ms: def(int(10, 3_600_000), D.watchIntervalMs),
  redis: def(
    record({
      prefix: def(
        str(/^[A-Za-z0-9:_.-]{1,64}$/, "a key prefix of letters, digits, :, _, . or -"),
        D.redis.prefix,
      ),
      max_len: def(int(1_000, 1_000_000_000), D.redis.maxLen),
      claim_idle_ms: def(int(0, 86_400_000), D.redis.claimIdleMs),
    }),
    {},
  ),
});

/** Sink names are unique; a Redis bus needs `shared.redis`. */
export function eventsChecks(
  events: Partial<EventsConfig> | undefined,
  shared: SharedConfig | undefined,
  issues: Issues,
): void {
  if (events === undefined) return;
  unique(
    issues,
    (events.sinks ?? []).map((s, i) => ({ value: s?.name, path: `events.sinks[${i}].name` })),
    "sink name",
  );
  if (events.bus === "redis" && shared?.redis === undefined) {
    issues.fail("events.bus", 'expected "shared.redis" to be set for the "redis" bus');
  }
}

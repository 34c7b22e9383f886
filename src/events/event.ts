/**
 * CloudEvents 1.0 (JSON format) as azmw emits them, and the data of `azmw.call.completed`: the call
 * record's plain metadata — never bodies, never secrets, never free-text error messages.
 */
import type { EventType } from "../config/types.ts";
import type { LogRecord } from "../logs/record.ts";

/** One CloudEvent in the JSON format. */
export interface CloudEvent<D = unknown> {
  specversion: "1.0";
  /** Unique per source; the de-duplication key of at-least-once delivery. */
  id: string;
  /** `/azmw/<instance>`. */
  source: string;
  type: EventType;
  /** RFC 3339 UTC. */
  time: string;
  datacontenttype: "application/json";
  subject?: string;
  data: D;
}

/** Media type of a batch (a JSON array of events). */
export const BATCH_CONTENT_TYPE = "application/cloudevents-batch+json";

/** Options of `cloudEvent()`. */
export interface CloudEventOptions {
  source: string;
  /** Default a random UUID. */
  id?: string;
  /** Epoch ms or an RFC 3339 UTC string (used as is); default now. */
  time?: number | string;
  subject?: string;
}

/** Builds a CloudEvent. */
export function cloudEvent<D>(type: EventType, data: D, options: CloudEventOptions): CloudEvent<D> {
  const event: CloudEvent<D> = {
    specversion: "1.0",
    id: options.id ?? crypto.randomUUID(),
    source: options.source,
    type,
    time: typeof options.time === "string"
      ? options.time
      : new Date(options.time ?? Date.now()).toISOString(),
    datacontenttype: "application/json",
    data,
  };
  if (options.subject !== undefined) event.subject = options.subject;
  return event;
}

/** The CloudEvents `source` of a gateway instance. */
export function sourceOf(instance: string): string {
  return `/azmw/${instance}`;
}

/** Data of `azmw.call.completed`: the log record's metadata without sealed fields or error text. */
export type CallCompletedData = Omit<LogRecord, "request" | "response" | "error" | "v"> & {
  error: { type: string } | null;
};

/** The event data of a logged (or just finished) call. */
export function callCompletedData(record: LogRecord): CallCompletedData {
  return {
    id: record.id,
    ts: record.ts,
    instance: record.instance,
    caller: {
      key_id: record.caller.key_id,
      project: record.caller.project,
      token_id: record.caller.token_id,
    },
    dialect: record.dialect,
    operation: record.operation,
    model: record.model,
    upstream: record.upstream,
    deployment: record.deployment,
    status: record.status,
    stream: record.stream,
    attempts: record.attempts,
    latency_ms: record.latency_ms,
    ttfb_ms: record.ttfb_ms,
    usage: record.usage,
    usage_source: record.usage_source,
    cost_eur: record.cost_eur,
    // Error messages can quote the upstream's answer, so only the type leaves the gateway.
    error: record.error ? { type: record.error.type } : null,
  };
}

/**
 * The `azmw.call.completed` event of a call. Its id is the call's id, so a replay from the request log
 * carries the same id as the live event and receivers de-duplicate them.
 */
export function callCompletedEvent(record: LogRecord, source: string): CloudEvent<CallCompletedData> {
  return cloudEvent("azmw.call.completed", callCompletedData(record), {
    source,
    id: record.id,
    time: record.ts,
    subject: record.id,
  });
}

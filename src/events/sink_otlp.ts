/**
 * The OTLP sink: each batch becomes one OTLP/HTTP JSON logs export (`POST <endpoint>/v1/logs`): one log
 * record per event, the event's data as the body (a JSON string) and its CloudEvents attributes as
 * log attributes.
 */
import type { CloudEvent } from "./event.ts";
import { postWithTimeout, type Sink } from "./sink.ts";
import { VERSION } from "../version.ts";

/** An OTLP sink's resolved settings. */
export interface OtlpSinkOptions {
  name: string;
  /** Collector base URL (`http://127.0.0.1:4318`). */
  endpoint: string;
  headers?: Record<string, string>;
  /** `service.instance.id` of the resource. */
  instance?: string;
  timeoutMs?: number;
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  now?: () => number;
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** The OTLP/HTTP JSON body of a batch. */
export function otlpLogs(batch: readonly CloudEvent[], options: { instance?: string; now: number }) {
  const observed = `${BigInt(options.now) * 1_000_000n}`;
  return {
    resourceLogs: [{
      resource: {
        attributes: [
          str("service.name", "azmw"),
          str("service.version", VERSION),
          ...(options.instance ? [str("service.instance.id", options.instance)] : []),
        ],
      },
      scopeLogs: [{
        scope: { name: "azmw.events", version: VERSION },
        logRecords: batch.map((e) => ({
          timeUnixNano: `${BigInt(Date.parse(e.time) || options.now) * 1_000_000n}`,
          observedTimeUnixNano: observed,
          severityNumber: 9,
          severityText: "INFO",
          eventName: e.type,
          body: { stringValue: JSON.stringify(e.data) },
          attributes: [
            str("cloudevents.event_id", e.id),
            str("cloudevents.event_source", e.source),
            str("cloudevents.event_spec_version", e.specversion),
            str("cloudevents.event_type", e.type),
            ...(e.subject ? [str("cloudevents.event_subject", e.subject)] : []),
          ],
        })),
      }],
    }],
  };
}

/** Creates an OTLP/HTTP logs sink. */
export function createOtlpSink(options: OtlpSinkOptions): Sink {
  const fetchFn = options.fetch ?? ((u: string, i: RequestInit) => fetch(u, i));
  const now = options.now ?? Date.now;
  const url = `${options.endpoint}/v1/logs`;
  return {
    name: options.name,
    async deliver(batch, signal) {
      const body = JSON.stringify(
        otlpLogs(batch, { ...(options.instance ? { instance: options.instance } : {}), now: now() }),
      );
      await postWithTimeout(fetchFn, url, {
        headers: { ...options.headers, "content-type": "application/json" },
        body,
        signal,
        timeoutMs: options.timeoutMs ?? 10_000,
        what: `the OTLP collector of sink "${options.name}"`,
      });
    },
  };
}

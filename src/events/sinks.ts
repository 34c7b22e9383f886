/**
 * Sinks from the config: secret references resolved, one `Sink` per `events.sinks` entry, plus the
 * legacy `budget.webhook` as a webhook sink of `azmw.budget.threshold` that posts the alert JSON as before.
 */
import { isSecretRef, resolveSecret, type SecretDeps } from "../config/secrets.ts";
import type { Config, SinkConfig, WebhookSinkConfig } from "../config/types.ts";
import { EVENTS_DEFAULTS } from "../config/schema_events.ts";
import { ConfigError } from "../server/errors.ts";
import { secretBytes } from "./sign.ts";
import type { Sink } from "./sink.ts";
import { createFileSink } from "./sink_file.ts";
import { createOtlpSink } from "./sink_otlp.ts";
import { createWebhookSink } from "./sink_webhook.ts";

/** I/O of the sinks. */
export interface SinkDeps extends SecretDeps {
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  now?: () => number;
}

/** Name of the sink the legacy `budget.webhook` becomes. */
export const BUDGET_WEBHOOK_SINK = "budget_webhook";

/** The `budget.webhook` of a config as a sink config (attempts and backoff of the old alerter). */
export function budgetWebhookSink(config: Config): WebhookSinkConfig | null {
  const hook = config.budget?.webhook;
  if (hook === undefined) return null;
  return {
    type: "webhook",
    name: BUDGET_WEBHOOK_SINK,
    url: hook.url,
    headers: hook.headers,
    body: "data",
    types: ["azmw.budget.threshold"],
    queueSize: 1_000,
    batchSize: 1,
    flushIntervalMs: 1,
    maxAttempts: 4,
    backoffMs: 500,
    maxBackoffMs: 4_000,
    timeoutMs: EVENTS_DEFAULTS.timeoutMs,
  };
}

/** Every sink config of `config`: `events.sinks` then the legacy budget webhook. */
export function sinkConfigs(config: Config): SinkConfig[] {
  const legacy = budgetWebhookSink(config);
  return [...(config.events?.sinks ?? []), ...(legacy ? [legacy] : [])];
}

/** Builds the sink of one config entry, resolving its secret references. */
export async function buildSink(
  sink: SinkConfig,
  options: { path: string; instance: string; timezone: string; deps?: SinkDeps },
): Promise<Sink> {
  const deps = options.deps ?? {};
  const secretDeps = {
    ...(deps.env ? { env: deps.env } : {}),
    ...(deps.readTextFile ? { readTextFile: deps.readTextFile } : {}),
  };
  const value = (v: string, path: string) =>
    isSecretRef(v)
      ? resolveSecret(v, { ...secretDeps, path: `${options.path}.${path}` })
      : Promise.resolve(v);
  const headers = async (h: Record<string, string>) => {
    const out: Record<string, string> = {};
    for (const [name, v] of Object.entries(h)) out[name] = await value(v, `headers.${name}`);
    return out;
  };
  const io = { ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.now ? { now: deps.now } : {}) };
  switch (sink.type) {
    case "webhook": {
      const secret = sink.secret ? await value(sink.secret, "secret") : undefined;
      if (secret !== undefined) {
        try {
          secretBytes(secret);
        } catch (err) {
          throw new ConfigError([{ path: `${options.path}.secret`, message: (err as Error).message }]);
        }
      }
      return createWebhookSink({
        name: sink.name,
        url: await value(sink.url, "url"),
        ...(secret !== undefined ? { secret } : {}),
        headers: await headers(sink.headers),
        body: sink.body,
        timeoutMs: sink.timeoutMs,
        ...io,
      });
    }
    case "file":
      return createFileSink({ name: sink.name, dir: sink.path, timezone: options.timezone });
    case "otlp":
      return createOtlpSink({
        name: sink.name,
        endpoint: (await value(sink.endpoint, "endpoint")).replace(/\/+$/, ""),
        headers: await headers(sink.headers),
        instance: options.instance,
        timeoutMs: sink.timeoutMs,
        ...io,
      });
  }
}

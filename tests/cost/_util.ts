/** Shared helpers of the cost tests: configs, callers, call records and log lines. */
import { validateConfig } from "../../src/config/schema.ts";
import type { Config } from "../../src/config/types.ts";
import type { CostCaller } from "../../src/cost/control.ts";
import { resolvePolicy } from "../../src/governance/policy.ts";
import type { LogRecord } from "../../src/logs/record.ts";
import type { CallCost, CallRecord } from "../../src/core/record.ts";
import { costed, type Draft } from "../../src/pipeline/record_builder.ts";
import type { Usage } from "../../src/core/operation.ts";

/** 2026-11-25 15:00 UTC. */
export const NOW = Date.UTC(2026, 10, 25, 15, 0, 0);
export const TODAY = "20261125";

/** A validated config with `extra` top-level sections (pricing, budget, server …). */
export function costConfig(extra: Record<string, unknown> = {}): Config {
  return validateConfig(
    { upstreams: [{ name: "u", kind: "openai", deployments: ["m"] }], ...extra },
    "test.yaml",
    { hostname: () => "test" },
  );
}

/** One token of input or output costs €0.001 for model "m" (EUR per 1M tokens: 1000). */
export const FLAT_PRICING = {
  defaults: false,
  models: { m: { input: 1000, output: 1000 }, cheap: { input: 100, output: 100 } },
  fallback: { input: 2000, output: 2000 },
};

/** A governed-looking caller with per-scope daily caps. */
export function caller(
  options: { key?: string; project?: string | null; projectCap?: number; keyCap?: number; token?: string } =
    {},
): CostCaller {
  const project = options.project === undefined ? "demo" : options.project;
  const subject = options.token ? `token:${options.token}` : `key:${options.key ?? "dev"}`;
  return {
    keyId: options.token ?? options.key ?? "dev",
    project,
    tokenId: options.token ?? null,
    kind: options.token ? "token" : "key",
    policy: resolvePolicy({
      project: project === null ? null : {
        name: project,
        policy: options.projectCap === undefined ? {} : { dailyCostEur: options.projectCap },
      },
      subject: {
        scope: subject,
        policy: options.keyCap === undefined ? {} : { dailyCostEur: options.keyCap },
      },
    }),
  };
}

/** Usage with `prompt` and `completion` tokens and optional parts. */
export function usage(prompt: number, completion: number, over: Partial<Usage> = {}): Usage {
  return {
    promptTokens: prompt,
    completionTokens: completion,
    cachedTokens: 0,
    reasoningTokens: 0,
    totalTokens: prompt + completion,
    cacheWriteTokens: 0,
    ...over,
  };
}

/** `rec` with the cost settling it returned, as the pipeline writes it before the sinks get the record. */
export function billed(rec: CallRecord, cost: CallCost): CallRecord {
  const out: Draft = { ...rec };
  costed(out, cost);
  return out;
}

/** A finished call record of model "m" that reached its upstream. */
export function callRecord(over: Partial<CallRecord> = {}): CallRecord {
  return {
    id: crypto.randomUUID(),
    ts: new Date(NOW).toISOString(),
    caller: { keyId: "dev", project: "demo", tokenId: null },
    dialect: "openai",
    operation: "chat",
    model: "m",
    upstream: "u",
    deployment: "m",
    status: 200,
    stream: false,
    attempts: 1,
    latencyMs: 10,
    ttfbMs: 5,
    usage: null,
    usageSource: null,
    error: null,
    requestBody: null,
    responseBody: null,
    assembled: null,
    ...over,
  };
}

/** A log line's record (metadata only) for scan and report tests. */
export function logRecord(over: Partial<LogRecord> = {}): LogRecord {
  return {
    v: 1,
    id: crypto.randomUUID(),
    ts: new Date(NOW).toISOString(),
    instance: "t",
    caller: { key_id: "dev", project: "demo", token_id: null },
    dialect: "openai",
    operation: "chat",
    model: "m",
    upstream: "u",
    deployment: "m",
    status: 200,
    stream: false,
    attempts: 1,
    latency_ms: 1,
    ttfb_ms: 1,
    usage: {
      prompt_tokens: 10,
      completion_tokens: 5,
      cached_tokens: 0,
      reasoning_tokens: 0,
      total_tokens: 15,
    },
    usage_source: "upstream",
    cost_eur: 0.015,
    error: null,
    request: null,
    response: null,
    ...over,
  };
}

/** Writes records as a day's log file; returns its path. */
export async function writeDay(
  dir: string,
  day: string,
  records: readonly LogRecord[],
  options: { instance?: string; tail?: string } = {},
): Promise<string> {
  await Deno.mkdir(`${dir}/${day}`, { recursive: true });
  const path = `${dir}/${day}/requests-${options.instance ?? "t"}.jsonl`;
  const text = records.map((r) => `${JSON.stringify(r)}\n`).join("") + (options.tail ?? "");
  await Deno.writeTextFile(path, text, { append: true });
  return path;
}

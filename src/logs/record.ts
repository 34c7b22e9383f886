/**
 * The log record: one JSON line per call. Metadata is plain (cost can be rebuilt and reported without the
 * key); `request` and `response` are sealed fields, or `null` when bodies are not logged.
 */
import type { CallRecord, CallStatus, TriedTarget } from "../pipeline/record.ts";
import type { Usage } from "../streams/types.ts";
import type { SealedField } from "./seal.ts";

/** Version of the record format. */
export const RECORD_VERSION = 1;

/** Token usage as logged (snake_case; `cache_write_tokens` only when non-zero). */
export interface UsageJson {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
  cache_write_tokens?: number;
  /** The 1-hour part of `cache_write_tokens` (Anthropic), only when non-zero. */
  cache_write_1h_tokens?: number;
  /** The processing tier the provider reported, only when not the standard one (`priority`, `flex` …). */
  service_tier?: string;
}

/** One target considered for a call, as logged. */
export interface TriedJson {
  upstream: string;
  deployment: string;
  status: number | null;
  error: string | null;
  ms: number;
}

/** One line of a request log file. */
export interface LogRecord {
  v: 1;
  id: string;
  ts: string;
  instance: string;
  caller: { key_id: string | null; project: string | null; token_id: string | null };
  dialect: string;
  operation: string | null;
  model: string | null;
  upstream: string | null;
  deployment: string | null;
  status: CallStatus;
  stream: boolean;
  attempts: number;
  latency_ms: number;
  ttfb_ms: number | null;
  usage: UsageJson | null;
  usage_source: "upstream" | "estimated" | null;
  cost_eur: number | null;
  error: { type: string; message: string } | null;
  /**
   * Every target considered, in order (what each answered and why it was not the final answer); absent in
   * records written before it was logged.
   */
  tried?: TriedJson[];
  request: SealedField | null;
  response: SealedField | null;
}

/** Usage in the logged shape. */
export function usageJson(u: Usage): UsageJson {
  const out: UsageJson = {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    cached_tokens: u.cachedTokens,
    reasoning_tokens: u.reasoningTokens,
    total_tokens: u.totalTokens,
  };
  if (u.cacheWriteTokens) out.cache_write_tokens = u.cacheWriteTokens;
  if (u.cacheWrite1hTokens) out.cache_write_1h_tokens = u.cacheWrite1hTokens;
  if (u.serviceTier !== undefined) out.service_tier = u.serviceTier;
  return out;
}

function triedJson(t: TriedTarget, scrub: (text: string) => string): TriedJson {
  return {
    upstream: t.upstream,
    deployment: t.deployment,
    status: t.status,
    error: t.error === null ? null : scrub(t.error),
    ms: t.ms,
  };
}

/** The metadata of a call record, bodies not yet sealed; `scrub` cleans caller text (model, error messages). */
export function logRecordOf(
  rec: CallRecord,
  instance: string,
  scrub: (text: string) => string = (t) => t,
): LogRecord {
  return {
    v: RECORD_VERSION,
    id: rec.id,
    ts: rec.ts,
    instance,
    caller: {
      key_id: rec.caller?.keyId ?? null,
      project: rec.caller?.project ?? null,
      token_id: rec.caller?.tokenId ?? null,
    },
    dialect: rec.dialect,
    operation: rec.operation,
    model: rec.model === null ? null : scrub(rec.model),
    upstream: rec.upstream,
    deployment: rec.deployment,
    status: rec.status,
    stream: rec.stream,
    attempts: rec.attempts,
    latency_ms: rec.latencyMs,
    ttfb_ms: rec.ttfbMs,
    usage: rec.usage ? usageJson(rec.usage) : null,
    usage_source: rec.costEstimated && rec.usageSource === null ? "estimated" : rec.usageSource,
    cost_eur: rec.costEur ?? null,
    error: rec.error ? { type: rec.error.type, message: scrub(rec.error.message) } : null,
    tried: (rec.tried ?? []).map((t) => triedJson(t, scrub)),
    request: null,
    response: null,
  };
}

/** Whether a parsed line looks like a log record (enough for readers to use its metadata). */
export function isLogRecord(value: unknown): value is LogRecord {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const r = value as Record<string, unknown>;
  return r.v === RECORD_VERSION && typeof r.id === "string" && typeof r.ts === "string" &&
    r.started === undefined;
}

/**
 * The line written when an upstream has accepted a streamed call, before any of it is relayed: closed by
 * the call's record (same `id`) when the stream ends. One left unclosed means the gateway stopped during
 * the stream (a crash); spend rebuilt from the log then prices the call at its reservation.
 */
export interface StartedEntry {
  v: 1;
  started: true;
  id: string;
  ts: string;
  instance: string;
  caller: LogRecord["caller"];
  model: string | null;
  upstream: string | null;
  deployment: string | null;
  /** What the budget held for the call, in EUR (null without a budget stage). */
  reserved_eur: number | null;
}

/** The start of every started entry's line (readers recognise one without parsing it). */
export const STARTED_HEAD = '{"v":1,"started":true,';

/** Whether a parsed line is a started entry. */
export function isStartedEntry(value: unknown): value is StartedEntry {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const r = value as Record<string, unknown>;
  return r.v === RECORD_VERSION && r.started === true && typeof r.id === "string" && typeof r.ts === "string";
}

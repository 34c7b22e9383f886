/**
 * The OpenTelemetry GenAI semantic conventions for one finished call: span attributes and the two client
 * metrics (`gen_ai.client.token.usage`, `gen_ai.client.operation.duration`). The provider is the upstream
 * that served the call, not the dialect the client spoke; token counts are integers on the wire.
 */
import type { CallRecord } from "../pipeline/record.ts";

/** `gen_ai.operation.name` per gateway operation. */
const OPERATION_NAME: Record<string, string> = {
  chat: "chat",
  completions: "text_completion",
  embeddings: "embeddings",
  responses: "chat",
  messages: "chat",
};

/** `gen_ai.provider.name` per upstream kind. */
export const PROVIDER_NAME: Record<string, string> = {
  azure: "azure.ai.openai",
  openai: "openai",
  anthropic: "anthropic",
};

/** What the conventions need to know of an upstream: its provider name and where it listens. */
export interface UpstreamInfo {
  provider: string;
  address: string;
  port: number;
}

/** An attribute value as Deno's exporter takes it: a bigint is exported as `intValue`. */
export type AttrValue = string | number | bigint | boolean | string[];

/** Response fields a non-streamed body carries, read only when something records them. */
export interface ResponseInfo {
  id?: string;
  model?: string;
  finishReasons?: string[];
}

const MAX_PARSED_BODY = 1 << 20;
const decoder = new TextDecoder();

/** Reads id, model and finish reasons of a non-streamed JSON answer (chat, completions, responses, messages). */
export function responseInfo(r: CallRecord): ResponseInfo {
  if (r.assembled) {
    const a = r.assembled;
    return {
      ...(a.id ? { id: a.id } : {}),
      ...(a.model ? { model: a.model } : {}),
      ...(a.finishReason ? { finishReasons: [a.finishReason] } : {}),
    };
  }
  const body = r.responseBody;
  if (body === null || body.byteLength === 0 || body.byteLength > MAX_PARSED_BODY || body[0] !== 0x7b) {
    return {};
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(decoder.decode(body));
  } catch {
    return {};
  }
  const out: ResponseInfo = {};
  if (typeof json.id === "string") out.id = json.id;
  if (typeof json.model === "string") out.model = json.model;
  const reasons: string[] = [];
  if (Array.isArray(json.choices)) {
    for (const c of json.choices) {
      const f = (c as { finish_reason?: unknown })?.finish_reason;
      if (typeof f === "string") reasons.push(f);
    }
  } else if (typeof json.stop_reason === "string") reasons.push(json.stop_reason);
  else if (json.object === "response" && typeof json.status === "string") reasons.push(json.status);
  if (reasons.length > 0) out.finishReasons = reasons;
  return out;
}

/** The operation name of a record. */
export function operationName(r: CallRecord): string {
  return OPERATION_NAME[r.operation ?? ""] ?? "chat";
}

/** Span attributes of a finished call, per the GenAI conventions (plus `azmw.*` details). */
export function genAiAttributes(
  r: CallRecord,
  options: { upstream?: UpstreamInfo | undefined; info?: ResponseInfo } = {},
): Record<string, AttrValue> {
  const upstream = options.upstream;
  const a: Record<string, AttrValue> = {
    "gen_ai.operation.name": operationName(r),
    "azmw.dialect": r.dialect,
    "azmw.request.id": r.id,
    "azmw.attempts": BigInt(r.attempts),
    "azmw.stream": r.stream,
    "http.response.status_code": BigInt(typeof r.status === "number" ? r.status : 499),
  };
  if (upstream) {
    a["gen_ai.provider.name"] = upstream.provider;
    a["server.address"] = upstream.address;
    a["server.port"] = BigInt(upstream.port);
  }
  if (r.model) a["gen_ai.request.model"] = r.model;
  if (r.upstream) a["azmw.upstream"] = r.upstream;
  if (r.deployment) a["azmw.deployment"] = r.deployment;
  const info = options.info ?? responseInfo(r);
  if (info.model) a["gen_ai.response.model"] = info.model;
  if (info.id) a["gen_ai.response.id"] = info.id;
  if (info.finishReasons) a["gen_ai.response.finish_reasons"] = info.finishReasons;
  if (r.usage) {
    a["gen_ai.usage.input_tokens"] = BigInt(r.usage.promptTokens);
    a["gen_ai.usage.output_tokens"] = BigInt(r.usage.completionTokens);
    if (r.usage.cachedTokens) a["gen_ai.usage.cache_read.input_tokens"] = BigInt(r.usage.cachedTokens);
    if (r.usage.cacheWriteTokens) {
      a["gen_ai.usage.cache_creation.input_tokens"] = BigInt(r.usage.cacheWriteTokens);
    }
    if (r.usage.reasoningTokens) a["azmw.usage.reasoning_tokens"] = BigInt(r.usage.reasoningTokens);
  }
  if (r.ttfbMs !== null) a["azmw.ttfb_ms"] = r.ttfbMs;
  const error = errorType(r);
  if (error) a["error.type"] = error;
  return a;
}

/** `error.type` of a call: the error code, or the HTTP status of a failed call without one. */
export function errorType(r: CallRecord): string | undefined {
  if (r.error) return r.error.code || r.error.type;
  if (typeof r.status === "number" && r.status >= 400) return String(r.status);
  return undefined;
}

/** Bucket boundaries the conventions advise for `gen_ai.client.token.usage`. */
export const TOKEN_BUCKETS = [
  1,
  4,
  16,
  64,
  256,
  1024,
  4096,
  16384,
  65536,
  262144,
  1048576,
  4194304,
  16777216,
  67108864,
];

/** Bucket boundaries the conventions advise for `gen_ai.client.operation.duration` (seconds). */
export const DURATION_BUCKETS = [
  0.01,
  0.02,
  0.04,
  0.08,
  0.16,
  0.32,
  0.64,
  1.28,
  2.56,
  5.12,
  10.24,
  20.48,
  40.96,
  81.92,
];

/** Attributes shared by both client metrics. */
export function metricAttributes(
  r: CallRecord,
  options: { upstream?: UpstreamInfo | undefined; info?: ResponseInfo } = {},
): Record<string, string | number> {
  const upstream = options.upstream;
  const a: Record<string, string | number> = { "gen_ai.operation.name": operationName(r) };
  if (upstream) {
    a["gen_ai.provider.name"] = upstream.provider;
    a["server.address"] = upstream.address;
    a["server.port"] = upstream.port;
  }
  if (r.model) a["gen_ai.request.model"] = r.model;
  const model = (options.info ?? responseInfo(r)).model;
  if (model) a["gen_ai.response.model"] = model;
  return a;
}

/** Provider name and address of each configured upstream, by name. */
export function upstreamInfos(
  upstreams: readonly { name: string; kind: string; endpoint: string }[],
): Map<string, UpstreamInfo> {
  const out = new Map<string, UpstreamInfo>();
  for (const u of upstreams) {
    let url: URL;
    try {
      url = new URL(u.endpoint);
    } catch {
      continue;
    }
    const port = url.port ? Number(url.port) : url.protocol === "http:" ? 80 : 443;
    out.set(u.name, { provider: PROVIDER_NAME[u.kind] ?? u.kind, address: url.hostname, port });
  }
  return out;
}

/**
 * The request a benchmark sends, built from the dialect: path, auth header and a default chat body.
 */

/** Wire dialect of the benchmarked endpoint. */
export type BenchDialect = "azure" | "openai" | "anthropic";

/** The dialects `--dialect` accepts. */
export const BENCH_DIALECTS: readonly BenchDialect[] = ["azure", "openai", "anthropic"];

/** Default `api-version` on Azure deployment routes. */
export const DEFAULT_API_VERSION = "2024-10-21";

/** `anthropic-version` sent on the Anthropic dialect. */
export const ANTHROPIC_VERSION = "2023-06-01";

/** What to call and how. */
export interface RequestSpec {
  dialect: BenchDialect;
  /** Base URL of the server, e.g. `http://127.0.0.1:8787` (a path prefix is kept). */
  baseUrl: string;
  /** Caller key, sent the way the dialect's SDK sends it. */
  key: string;
  model: string;
  /** Azure deployment (default: the model). */
  deployment?: string;
  /** Azure `api-version` (default {@linkcode DEFAULT_API_VERSION}). */
  apiVersion?: string;
  /** Ask for a streamed answer. */
  stream: boolean;
  /** A body to send instead of the default one (JSON text). */
  body?: string;
  /** Extra request headers, e.g. `x-mock-chunks`. */
  headers?: Record<string, string>;
}

/** A fully built request, sent unchanged by every worker. */
export interface BenchRequest {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer>;
  /** Whether the body asks for a stream (for reports; the reader follows the response type). */
  stream: boolean;
}

/** The default body: a one-message chat request in the dialect's shape. */
export function defaultBody(dialect: BenchDialect, model: string, stream: boolean): Record<string, unknown> {
  const messages = [{ role: "user", content: "Say hello in one short sentence." }];
  const body: Record<string, unknown> = dialect === "anthropic"
    ? { model, max_tokens: 256, messages }
    : { model, messages };
  if (stream) body.stream = true;
  return body;
}

/** The endpoint path (with query) the dialect uses for chat. */
export function chatPath(spec: Pick<RequestSpec, "dialect" | "model" | "deployment" | "apiVersion">): string {
  switch (spec.dialect) {
    case "openai":
      return "/v1/chat/completions";
    case "anthropic":
      return "/v1/messages";
    case "azure": {
      const deployment = encodeURIComponent(spec.deployment ?? spec.model);
      const version = encodeURIComponent(spec.apiVersion ?? DEFAULT_API_VERSION);
      return `/openai/deployments/${deployment}/chat/completions?api-version=${version}`;
    }
  }
}

/** Auth headers as each SDK sends them. */
export function authHeaders(dialect: BenchDialect, key: string): Record<string, string> {
  switch (dialect) {
    case "openai":
      return { authorization: `Bearer ${key}` };
    case "azure":
      return { "api-key": key };
    case "anthropic":
      return { "x-api-key": key, "anthropic-version": ANTHROPIC_VERSION };
  }
}

/**
 * Builds the request. A given body is sent as is, except that `stream: true` is set in it when
 * `spec.stream` asks for a stream; throws `SyntaxError` when that body is not a JSON object.
 */
export function buildRequest(spec: RequestSpec): BenchRequest {
  let bodyText: string;
  let stream = spec.stream;
  if (spec.body === undefined) {
    bodyText = JSON.stringify(defaultBody(spec.dialect, spec.model, spec.stream));
  } else {
    const parsed: unknown = JSON.parse(spec.body);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new SyntaxError("The request body is not a JSON object");
    }
    const obj = parsed as Record<string, unknown>;
    if (spec.stream) obj.stream = true;
    stream = obj.stream === true;
    bodyText = spec.stream ? JSON.stringify(obj) : spec.body;
  }
  const base = spec.baseUrl.replace(/\/+$/, "");
  return {
    url: base + chatPath(spec),
    headers: { "content-type": "application/json", ...authHeaders(spec.dialect, spec.key), ...spec.headers },
    body: new TextEncoder().encode(bodyText),
    stream,
  };
}

/**
 * The gateway's two error classes and the one place where errors become HTTP responses.
 */

/** Dialect of the inbound API, which decides the error body shape. */
export type Dialect = "azure" | "openai" | "anthropic";

/** OpenAI-style error `type` values used by the gateway. */
export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "request_too_large"
  | "server_error"
  | "upstream_error"
  | "timeout_error"
  | "not_implemented";

/** An error that should reach the client as a status code and an API-shaped body. */
export class GatewayError extends Error {
  /** HTTP status sent to the client. */
  readonly status: number;
  /** Machine-readable code, e.g. `invalid_api_key`. */
  readonly code: string;
  /** Error type in the OpenAI sense. */
  readonly type: ErrorType;
  /** Request parameter at fault, if any. */
  readonly param: string | null;
  /** Extra response headers such as `retry-after`. */
  readonly headers: Record<string, string>;

  /** Creates an error; `message` is shown to the client, so it must never contain a secret. */
  constructor(
    status: number,
    code: string,
    message: string,
    options: {
      type?: ErrorType;
      param?: string | null;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GatewayError";
    this.status = status;
    this.code = code;
    this.type = options.type ?? defaultType(status);
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }
}

/** An invalid configuration; `issues` names each bad key path. */
export class ConfigError extends Error {
  /** One entry per problem: the dotted key path and what was expected. */
  readonly issues: { path: string; message: string }[];

  /** Creates a config error from its issues (the message lists them all). */
  constructor(issues: { path: string; message: string }[], source = "config") {
    super(
      `Invalid ${source}:\n` + issues.map((i) => `  - ${i.path || "(root)"}: ${i.message}`).join("\n"),
    );
    this.name = "ConfigError";
    this.issues = issues;
  }
}

function defaultType(status: number): ErrorType {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status === 501) return "not_implemented";
  if (status === 504) return "timeout_error";
  if (status === 502 || status === 503) return "upstream_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/** Anthropic's error `type` for an HTTP status (gateway errors and upstream answers without a type). */
export const ANTHROPIC_ERROR_TYPES: Readonly<Record<number, string>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  502: "api_error",
  503: "overloaded_error",
  504: "timeout_error",
  529: "overloaded_error",
};

/** The Anthropic error `type` of a status: the table's, else `api_error` (5xx) or `invalid_request_error`. */
export function anthropicErrorType(status: number): string {
  return ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

/** Turns any thrown value into a response in the dialect's error shape; unknown errors become 500. */
export function errorResponse(err: unknown, dialect: Dialect = "openai"): Response {
  const e = err instanceof GatewayError
    ? err
    : new GatewayError(500, "internal_error", "The gateway failed to process the request", { cause: err });
  const headers = new Headers(e.headers);
  headers.set("content-type", "application/json");
  if (dialect === "anthropic") {
    const type = anthropicErrorType(e.status);
    return new Response(JSON.stringify({ type: "error", error: { type, message: e.message } }), {
      status: e.status,
      headers,
    });
  }
  return new Response(
    JSON.stringify({ error: { message: e.message, type: e.type, param: e.param, code: e.code } }),
    { status: e.status, headers },
  );
}

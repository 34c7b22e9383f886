/**
 * Response headers and error bodies in each provider's wire format.
 */
import { mockId } from "./content.ts";
import type { Flavor } from "./types.ts";

const JSON_TYPE = "application/json";
const SSE_TYPE = "text/event-stream; charset=utf-8";

/** Response headers of one answer, by lower-case name (a plain object: cheaper than `Headers`). */
export type HeaderBag = Record<string, string>;

/** Content type of a streamed answer. */
export const SSE_CONTENT_TYPE = SSE_TYPE;

/**
 * Fresh response headers of a flavor, request ids included. Deno copies every header of a
 * response into native form, so only the headers clients and the gateway read are sent.
 */
export function flavorHeaders(flavor: Flavor, processingMs: number): HeaderBag {
  if (flavor === "azure") {
    return {
      "content-type": JSON_TYPE,
      "apim-request-id": crypto.randomUUID(),
      "x-request-id": crypto.randomUUID(),
      "x-ms-region": "Sweden Central",
      "x-ratelimit-remaining-requests": "999",
      "x-ratelimit-remaining-tokens": "999000",
    };
  }
  if (flavor === "openai") {
    return {
      "content-type": JSON_TYPE,
      "x-request-id": mockId("req_"),
      "openai-processing-ms": String(processingMs),
      "x-ratelimit-limit-requests": "10000",
      "x-ratelimit-remaining-requests": "9999",
      "x-ratelimit-remaining-tokens": "29999000",
    };
  }
  return {
    "content-type": JSON_TYPE,
    "request-id": mockId("req_"),
    "anthropic-ratelimit-requests-remaining": "3999",
  };
}

/** Switches headers to a server-sent event stream. */
export function streamHeaders(headers: HeaderBag): void {
  headers["content-type"] = SSE_TYPE;
  headers["cache-control"] = "no-cache";
}

const OPENAI_MESSAGES: Record<number, [string, string, string | null]> = {
  400: ["Invalid request", "invalid_request_error", null],
  401: [
    "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
    "invalid_request_error",
    "invalid_api_key",
  ],
  403: ["You are not allowed to access this resource", "invalid_request_error", null],
  404: ["Not found", "invalid_request_error", null],
  429: [
    "Rate limit reached for requests per min (RPM): Limit 10000, Used 10000, Requested 1. Please try again in 6ms.",
    "requests",
    "rate_limit_exceeded",
  ],
  500: ["The server had an error while processing your request. Sorry about that!", "server_error", null],
  503: ["The server is overloaded or not ready yet.", "server_error", null],
};

// Azure's gateway layer (APIM) answers these itself, in its own `{code, message}` shape.
const AZURE_MESSAGES: Record<number, string> = {
  401: "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a " +
    "valid key for an active subscription and use a correct regional API endpoint for your resource.",
  403: "Access denied due to Virtual Network/Firewall rules.",
  404: "Resource not found",
  408: "The operation was timeout.",
  429: "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have " +
    "exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after 1 second. " +
    "Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.",
};

const ANTHROPIC_ERRORS: Record<number, [string, string]> = {
  400: ["invalid_request_error", "Invalid request"],
  401: ["authentication_error", "invalid x-api-key"],
  402: ["billing_error", "Your credit balance is too low to access the Anthropic API."],
  403: ["permission_error", "Your API key does not have permission to use the specified resource."],
  404: ["not_found_error", "Not Found"],
  413: ["request_too_large", "Request exceeds the maximum allowed number of bytes."],
  429: [
    "rate_limit_error",
    "This request would exceed the rate limit for your organization. Please try again later.",
  ],
  500: ["api_error", "Internal server error"],
  504: ["timeout_error", "Request timed out"],
  529: ["overloaded_error", "Overloaded"],
};

/** Options of an error answer. */
export interface ErrorOptions {
  /** Overrides the status's default message. */
  message?: string;
  /** OpenAI `code` (ignored by the other shapes). */
  code?: string | null;
  /** Request parameter at fault (OpenAI shape). */
  param?: string | null;
}

/** The JSON error body a provider sends for `status`. */
export function errorBody(flavor: Flavor, status: number, options: ErrorOptions = {}): string {
  if (flavor === "anthropic") {
    const [type, message] = ANTHROPIC_ERRORS[status] ??
      (status >= 500 ? ["api_error", "Internal server error"] : ["invalid_request_error", "Invalid request"]);
    return JSON.stringify({
      type: "error",
      error: { type, message: options.message ?? message },
      request_id: mockId("req_"),
    });
  }
  const azureMessage = AZURE_MESSAGES[status];
  if (flavor === "azure" && azureMessage !== undefined) {
    return JSON.stringify({
      error: { code: options.code ?? String(status), message: options.message ?? azureMessage },
    });
  }
  const [message, type, code] = OPENAI_MESSAGES[status] ??
    [
      `Mock upstream error with status ${status}`,
      status >= 500 ? "server_error" : "invalid_request_error",
      null,
    ];
  return JSON.stringify({
    error: {
      message: options.message ?? message,
      type,
      param: options.param ?? null,
      code: options.code === undefined ? code : options.code,
    },
  });
}

/** An error response in the flavor's shape; `options.headers` are the flavor headers of the request. */
export function errorResponse(
  flavor: Flavor,
  status: number,
  options: ErrorOptions & { headers: HeaderBag },
): Response {
  const headers = options.headers;
  headers["content-type"] = JSON_TYPE;
  delete headers["cache-control"];
  return new Response(errorBody(flavor, status, options), { status, headers });
}

/** OpenAI's message for a body that is not JSON; Azure passes the same one through. */
export const BAD_JSON_MESSAGE =
  "We could not parse the JSON body of your request. (HINT: This likely means " +
  "you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent " +
  "was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our " +
  "help center at help.openai.com.)";

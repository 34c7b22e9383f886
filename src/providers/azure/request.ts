/**
 * Azure OpenAI request building, as pure functions: the upstream URL for each inbound route style, the
 * body changes it needs (deployment name as `model` on v1 routes, usage requested on chat streams), and
 * the api-version rules.
 */
import type { AzureUpstreamConfig, DeploymentConfig } from "../../config/types.ts";
import { GatewayError } from "../../server/errors.ts";
import type { InferenceRoute } from "../../server/routes.ts";
import type { Operation } from "../../streams/types.ts";

const OP_PATH: Record<Operation, string> = {
  chat: "chat/completions",
  completions: "completions",
  embeddings: "embeddings",
  responses: "responses",
  messages: "messages",
};

const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

/** First GA api-version that accepts `stream_options` on chat and completions. */
const STREAM_OPTIONS_SINCE = "2024-09-01";

/** What the gateway sends upstream, apart from headers. */
export interface AzurePlan {
  url: string;
  /** Whether the body must be re-serialised (set when `model` or `stream_options` changed). */
  rewrite: boolean;
  /** Whether the gateway asked for usage the client did not ask for (the strip stream removes it). */
  injectedUsage: boolean;
}

/** Whether `v` is `YYYY-MM-DD` or `YYYY-MM-DD-preview` with a date that exists. */
export function isApiVersion(v: string): boolean {
  if (!API_VERSION.test(v)) return false;
  const y = Number(v.slice(0, 4));
  const m = Number(v.slice(5, 7));
  const d = Number(v.slice(8, 10));
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function badVersion(v: string, expected: string): GatewayError {
  return new GatewayError(
    400,
    "invalid_api_version",
    `Unsupported api-version ${JSON.stringify(v.slice(0, 40))}: expected ${expected}`,
    { param: "api-version" },
  );
}

function single(search: URLSearchParams): string | null {
  const all = search.getAll("api-version");
  if (all.length > 1) {
    throw new GatewayError(
      400,
      "duplicate_api_version",
      'Query parameter "api-version" is given more than once',
      {
        param: "api-version",
      },
    );
  }
  return all[0] ?? null;
}

/** Validates the caller's `api-version` for the routes that require one; returns it. */
export function requireApiVersion(search: URLSearchParams): string {
  const v = single(search);
  if (v === null || v === "") {
    throw new GatewayError(400, "missing_api_version", 'Missing required query parameter "api-version"', {
      param: "api-version",
    });
  }
  if (!isApiVersion(v)) throw badVersion(v, "a real date as YYYY-MM-DD or YYYY-MM-DD-preview");
  return v;
}

/** Validates an optional `api-version` (Azure v1 routes: `preview`, `latest` or a date); returns it or null. */
export function optionalApiVersion(search: URLSearchParams): string | null {
  const v = single(search);
  if (v === null || v === "preview" || v === "latest" || isApiVersion(v)) return v;
  throw badVersion(v, '"preview", "latest" or a real date as YYYY-MM-DD or YYYY-MM-DD-preview');
}

/**
 * The query sent upstream: only `api-version` (the one parameter Azure OpenAI's inference API defines),
 * never the rest of the caller's query — a key or signature there (`api-key`, `key`, `code`,
 * `subscription-key`, `sig` …) must not reach the upstream or its logs.
 */
export function upstreamQuery(search: string): string {
  if (search === "") return "";
  if (search.startsWith("?api-version=") && !search.includes("&")) return search;
  const v = new URLSearchParams(search).get("api-version");
  return v === null ? "" : `?api-version=${encodeURIComponent(v)}`;
}

/**
 * Plans the upstream call and mutates `body` where the upstream needs it. `search` is the caller's raw
 * query string (with `?`); its `api-version` is passed on where the route style keeps it.
 */
export function planAzureRequest(
  route: InferenceRoute,
  target: { upstream: AzureUpstreamConfig; deployment: DeploymentConfig },
  options: { body: Record<string, unknown>; search: string; apiVersion: string | null },
): AzurePlan {
  const { upstream, deployment } = target;
  const { body } = options;
  const op = OP_PATH[route.operation];
  const base = upstream.endpoint;
  const dep = encodeURIComponent(deployment.name);
  const search = upstreamQuery(options.search);
  let url: string;
  let rewrite = false;
  let usageOk = true;
  switch (route.style) {
    case "deployment":
      url = `${base}/openai/deployments/${dep}/${op}${search}`;
      usageOk = (options.apiVersion ?? "") >= STREAM_OPTIONS_SINCE;
      break;
    case "azure_responses":
      url = `${base}/openai/responses${search}`;
      rewrite = setModel(body, deployment.name);
      break;
    case "azure_v1":
      url = `${base}/openai/v1/${op}${search}`;
      rewrite = setModel(body, deployment.name);
      break;
    case "openai":
    case "anthropic":
      if (route.operation === "responses") {
        url = `${base}/openai/v1/responses`;
        rewrite = setModel(body, deployment.name);
      } else {
        url = `${base}/openai/deployments/${dep}/${op}?api-version=${upstream.apiVersion}`;
        usageOk = upstream.apiVersion >= STREAM_OPTIONS_SINCE;
      }
      break;
  }
  const injectedUsage = usageOk && injectUsage(route.operation, body);
  return { url, rewrite: rewrite || injectedUsage, injectedUsage };
}

function setModel(body: Record<string, unknown>, name: string): boolean {
  if (body.model === name) return false;
  body.model = name;
  return true;
}

/** Asks for usage on a chat/completions stream that did not; true when the body changed. */
export function injectUsage(op: Operation, body: Record<string, unknown>): boolean {
  if ((op !== "chat" && op !== "completions") || body.stream !== true) return false;
  const so = body.stream_options;
  if (so !== null && typeof so === "object" && !Array.isArray(so)) {
    const opts = so as Record<string, unknown>;
    if (opts.include_usage === true) return false;
    opts.include_usage = true;
    return true;
  }
  if (so !== undefined && so !== null) return false; // malformed: let the upstream reject it as it is
  body.stream_options = { include_usage: true };
  return true;
}

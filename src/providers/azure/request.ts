/**
 * Azure OpenAI request building, as pure functions: the upstream URL for each inbound route style, the
 * body changes it needs (deployment name as `model` on v1 routes, usage requested on chat streams), and
 * the api-version rules.
 */
import type { AzureUpstreamConfig, DeploymentConfig } from "../../config/types.ts";
import type { InferenceRoute } from "../../core/routes.ts";
import type { Operation } from "../../core/operation.ts";

const OP_PATH: Record<Operation, string> = {
  chat: "chat/completions",
  completions: "completions",
  embeddings: "embeddings",
  responses: "responses",
  messages: "messages",
};

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

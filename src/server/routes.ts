/**
 * The route table: which inbound paths the gateway serves, as pure data, matched without regexes on the
 * hot path. Unknown paths or methods return `null`; the caller answers 405 (`allowedMethods()`) or 501.
 */
import type { Dialect } from "./errors.ts";
import type { Operation } from "../streams/types.ts";

/** How the caller addressed the model, which decides the upstream URL shape. */
export type RouteStyle =
  | "deployment" // /openai/deployments/{d}/{op}?api-version=
  | "azure_responses" // /openai/responses?api-version=
  | "azure_v1" // /openai/v1/{op}
  | "openai" // /v1/{op}
  | "anthropic"; // /v1/messages

/** A matched inference route. */
export interface InferenceRoute {
  kind: "inference";
  dialect: Dialect;
  style: RouteStyle;
  operation: Operation;
  /** Deployment named in the path (deployment style only). */
  deployment?: string;
}

/** A matched non-inference route. */
export interface SimpleRoute {
  kind: "models" | "health" | "metrics" | "manage" | "admin";
  dialect: Dialect;
}

/** What `matchRoute()` returns for a known path and method. */
export type RouteMatch = InferenceRoute | SimpleRoute;

const OPERATIONS: Record<string, Operation> = {
  "chat/completions": "chat",
  "completions": "completions",
  "embeddings": "embeddings",
  "responses": "responses",
};

const DEPLOYMENTS_PREFIX = "/openai/deployments/";

/** Matches a method and path to a route; `null` when the gateway does not serve it. */
export function matchRoute(method: string, pathname: string): RouteMatch | null {
  const path = pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
  if (path === "/manage" || path.startsWith("/manage/")) return { kind: "manage", dialect: "openai" };
  if (path === "/admin" || path.startsWith("/admin/")) return { kind: "admin", dialect: "openai" };
  if (method === "GET" || method === "HEAD") {
    if (path === "/health") return { kind: "health", dialect: "openai" };
    if (path === "/metrics") return { kind: "metrics", dialect: "openai" };
    if (path === "/v1/models") return { kind: "models", dialect: "openai" };
    if (path === "/openai/v1/models") return { kind: "models", dialect: "azure" };
    return null;
  }
  if (method !== "POST") return null;
  if (path === "/v1/messages") {
    return { kind: "inference", dialect: "anthropic", style: "anthropic", operation: "messages" };
  }
  if (path.startsWith("/v1/")) {
    const op = OPERATIONS[path.slice(4)];
    return op ? { kind: "inference", dialect: "openai", style: "openai", operation: op } : null;
  }
  if (path.startsWith("/openai/v1/")) {
    const op = OPERATIONS[path.slice(11)];
    return op ? { kind: "inference", dialect: "azure", style: "azure_v1", operation: op } : null;
  }
  if (path === "/openai/responses") {
    return { kind: "inference", dialect: "azure", style: "azure_responses", operation: "responses" };
  }
  if (path.startsWith(DEPLOYMENTS_PREFIX)) {
    const rest = path.slice(DEPLOYMENTS_PREFIX.length);
    const slash = rest.indexOf("/");
    if (slash <= 0) return null;
    const op = OPERATIONS[rest.slice(slash + 1)];
    if (!op) return null;
    let deployment: string;
    try {
      deployment = decodeURIComponent(rest.slice(0, slash));
    } catch {
      return null;
    }
    return { kind: "inference", dialect: "azure", style: "deployment", operation: op, deployment };
  }
  return null;
}

/** The methods a served path takes (for `Allow` on a 405), or null when the path is not served at all. */
export function allowedMethods(pathname: string): string | null {
  if (matchRoute("POST", pathname) !== null) return "POST";
  if (matchRoute("GET", pathname) !== null) return "GET, HEAD";
  return null;
}

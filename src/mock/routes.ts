/**
 * The mock's route table: which dialect and operation a method and path select.
 */
import type { Flavor, Operation } from "./types.ts";

/** Where a request goes: dialect, operation, Azure deployment. */
export interface Route {
  /** Dialect of the route. */
  flavor: Flavor;
  /** Operation it serves. */
  op: Operation;
  /** Deployment named in the path (Azure deployment routes). */
  deployment?: string;
  /** Classic Azure routes require `?api-version=`. */
  versioned: boolean;
}

const STATIC_ROUTES = new Map<string, Route>();
for (const op of ["chat", "completions", "embeddings", "responses"] as const) {
  const tail = op === "chat" ? "chat/completions" : op;
  STATIC_ROUTES.set(`POST /v1/${tail}`, { flavor: "openai", op, versioned: false });
  STATIC_ROUTES.set(`POST /openai/v1/${tail}`, { flavor: "azure", op, versioned: false });
}
STATIC_ROUTES.set("GET /v1/models", { flavor: "openai", op: "models", versioned: false });
STATIC_ROUTES.set("GET /openai/v1/models", { flavor: "azure", op: "models", versioned: false });
STATIC_ROUTES.set("POST /openai/responses", { flavor: "azure", op: "responses", versioned: true });
STATIC_ROUTES.set("POST /v1/messages", { flavor: "anthropic", op: "messages", versioned: false });

const DEPLOYMENT_ROUTE =
  /^\/openai\/deployments\/([^/]+)\/(chat\/completions|completions|embeddings|responses)$/;

/** The route of a method and path, or `undefined`. */
export function matchRoute(method: string, path: string): Route | undefined {
  const route = STATIC_ROUTES.get(`${method} ${path}`);
  if (route !== undefined || method !== "POST") return route;
  const m = DEPLOYMENT_ROUTE.exec(path);
  if (m === null) return undefined;
  const op = m[2] === "chat/completions" ? "chat" : m[2] as Operation;
  return { flavor: "azure", op, deployment: decodeSegment(m[1]!), versioned: true };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The dialect to answer an unknown route in. */
export function guessFlavor(path: string, headers: Record<string, string>): Flavor {
  if (path.startsWith("/openai/")) return "azure";
  if (headers["anthropic-version"] !== undefined || path.startsWith("/v1/messages")) return "anthropic";
  return "openai";
}

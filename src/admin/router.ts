/**
 * The management route table: path patterns under `/manage` to handlers, as data. Used by the HTTP API
 * and, in-process, by the CLI on a local store — both run the same validation and write the same audit.
 */
import { GatewayError } from "../server/errors.ts";
import { listAudit } from "./audit.ts";
import type { ManageContext, ManageResult } from "./context.ts";
import { createKey, getKey, listKeys, revokeKey, rotateKey, updateKey } from "./keys.ts";
import {
  createProject,
  deleteProject,
  deleteProjectById,
  getProject,
  listProjects,
  updateProject,
  updateProjectById,
} from "./projects.ts";
import { createToken, deleteToken, deleteTokenByBody, getToken, listTokens, revokeToken } from "./tokens.ts";

/** One management request, already authenticated. */
export interface ManageRequest {
  method: string;
  /** Path below `/manage`, e.g. `/keys/key_0123/rotate`. */
  path: string;
  query: URLSearchParams;
  /** Parsed JSON body (`undefined` when none). */
  body?: unknown;
}

type Handler = (ctx: ManageContext, id: string, req: ManageRequest) => Promise<ManageResult>;

const ROUTES: [string, Record<string, Handler>][] = [
  ["projects", {
    GET: (c, _, r) => listProjects(c, r.query),
    POST: (c, _, r) => createProject(c, r.body),
    PATCH: (c, _, r) => updateProjectById(c, r.body),
    DELETE: (c, _, r) => deleteProjectById(c, r.body),
  }],
  ["projects/:id", {
    GET: (c, id) => getProject(c, id),
    PATCH: (c, id, r) => updateProject(c, id, r.body),
    DELETE: (c, id) => deleteProject(c, id),
  }],
  ["keys", { GET: (c, _, r) => listKeys(c, r.query), POST: (c, _, r) => createKey(c, r.body) }],
  ["keys/:id", { GET: (c, id) => getKey(c, id), PATCH: (c, id, r) => updateKey(c, id, r.body) }],
  ["keys/:id/rotate", { POST: (c, id, r) => rotateKey(c, id, r.body) }],
  ["keys/:id/revoke", { POST: (c, id) => revokeKey(c, id) }],
  ["tokens", {
    GET: (c, _, r) => listTokens(c, r.query),
    POST: (c, _, r) => createToken(c, r.body),
    DELETE: (c, _, r) => deleteTokenByBody(c, r.body),
  }],
  ["tokens/:id", { GET: (c, id) => getToken(c, id), DELETE: (c, id) => deleteToken(c, id) }],
  ["tokens/:id/revoke", { POST: (c, id) => revokeToken(c, id) }],
  ["audit", { GET: (c, _, r) => listAudit(c, r.query) }],
];

/** A matched route: its handlers by method and the `:id` segment. */
export interface ManageRoute {
  methods: Readonly<Record<string, Handler>>;
  id: string;
}

/** Finds the route of a path below `/manage`; `null` when there is none. */
export function matchManageRoute(path: string): ManageRoute | null {
  const parts = path.replace(/^\/+|\/+$/g, "").split("/");
  for (const [pattern, methods] of ROUTES) {
    const want = pattern.split("/");
    if (want.length !== parts.length) continue;
    let id = "";
    let ok = true;
    for (const [i, w] of want.entries()) {
      const part = parts[i]!;
      if (w === ":id") {
        try {
          id = decodeURIComponent(part);
        } catch {
          ok = false;
        }
        ok &&= id !== "";
      } else ok &&= w === part;
    }
    if (ok) return { methods, id };
  }
  return null;
}

/** Whether a method changes state (and so needs the admin role). */
export function isWrite(method: string): boolean {
  return method !== "GET" && method !== "HEAD";
}

/** Runs one request; unknown paths are 404, known paths with another method 405 (with `allow`). */
export async function dispatch(ctx: ManageContext, req: ManageRequest): Promise<ManageResult> {
  const route = matchManageRoute(req.path);
  if (route === null) {
    throw new GatewayError(404, "not_found", `Unknown management path "/manage${req.path}"`);
  }
  const method = req.method === "HEAD" ? "GET" : req.method;
  const handler = route.methods[method];
  if (handler === undefined) {
    const allow = Object.keys(route.methods).join(", ");
    throw new GatewayError(
      405,
      "method_not_allowed",
      `Method ${req.method} is not allowed here; use ${allow}`,
      {
        headers: { allow },
      },
    );
  }
  return await handler(ctx, route.id, req);
}

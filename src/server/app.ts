/**
 * The gateway as a plain handler: `createApp(deps)` returns `(req) => Promise<Response>`; only the
 * serve command binds it to a socket. Routes: inference (the pipeline), model list, health.
 */
import type { Config } from "../config/types.ts";
import type { UpstreamAuth } from "../providers/azure/auth.ts";
import { createAuthenticator } from "../pipeline/auth.ts";
import { sha256Hex } from "../core/sha256.ts";
import type { CallerKey } from "../core/caller.ts";
import type { FetchLike } from "../core/http.ts";
import type { AdmissionStage } from "../core/admission.ts";
import type { AdminLive, TargetHealth, UpstreamStatus } from "../core/health.ts";
import type { ProjectAuthCache } from "../providers/project_auth.ts";
import { BodyWatch } from "../pipeline/body.ts";
import { BodyBudget } from "../pipeline/body_budget.ts";
import { handleInference, type PipelineDeps } from "../pipeline/inference.ts";
import type { CallRecord, CallSink } from "../core/record.ts";
import { TargetIndex } from "../pipeline/target.ts";
import { VERSION } from "../version.ts";
import { errorResponse, GatewayError } from "../core/errors.ts";
import { allowedMethods, matchRoute } from "../core/routes.ts";

/** Everything the app needs; tests pass fakes for the I/O. */
export interface AppDeps {
  config: Config;
  /** Caller keys by digest (resolved from the config at start). */
  callerKeys: CallerKey[];
  /** Upstream auth per upstream name. */
  upstreamAuth: ReadonlyMap<string, UpstreamAuth>;
  fetch?: FetchLike;
  now?: () => number;
  clock?: () => number;
  randomId?: () => string;
  /** Consumers of finished calls (request log, cost, metrics). */
  sinks?: CallSink[];
  onInternalError?: (err: unknown, record: CallRecord) => void;
  /** Source of `GET /metrics`; without one the route answers 404. */
  metrics?: MetricsSource;
  /** Caller lookup (store keys and tokens); default: the config's caller keys only. */
  authenticate?: PipelineDeps["authenticate"];
  /** Policy, rate-limit and budget stages run before the upstream call. */
  admission?: readonly AdmissionStage[];
  /** The management API behind `/manage/*`; without one those paths answer 404. */
  manage?: (req: Request) => Promise<Response>;
  /** Waits between retries (tests pass a fake). */
  sleep?: PipelineDeps["sleep"];
  /** Uniform random in [0, 1) for jitter and weights (tests pass a fake). */
  random?: () => number;
  /** Extra fields for `/health` (today's spend). */
  health?: () => Record<string, unknown>;
  /** Whether the gateway can serve besides its upstreams (a shared store loaded); default true. */
  ready?: () => boolean;
  /** Upstream auth from projects' own credentials (resolved with the same secret sources). */
  projectAuth?: ProjectAuthCache;
  /** Aborted when the shutdown grace ends: open calls and streams end with a `shutdown` error. */
  shutdown?: AbortSignal;
  /** The admin web UI behind `/admin/*`, given the live state; without one those paths answer 404. */
  admin?: (req: Request, live: AdminLive) => Promise<Response>;
  /** SHA-256 hex digests of the management tokens (admin, reader): they may read `/health` in detail. */
  managementDigests?: readonly string[];
}

/** What the listener knows of the connection a request came on. */
export interface ConnectionInfo {
  remoteAddr?: Deno.Addr;
  /** The gateway's end; a client whose address is the same runs on this machine. */
  localAddr?: Deno.Addr;
}

/** The request handler, plus counters for health. */
export type App = ((req: Request, info?: ConnectionInfo) => Promise<Response>) & {
  readonly inFlight: number;
  /** State of every upstream deployment: breaker and calls in flight. */
  readonly targets: TargetHealth[];
};

const JSON_HEADERS = { "content-type": "application/json" };
const METRICS_HEADERS = { "content-type": "text/plain; version=0.0.4; charset=utf-8" };

/** What `/metrics` renders (the Prometheus text exposition). */
export interface MetricsSource {
  render(live: { inFlight: number }): string;
}

/** Builds the gateway handler. */
export function createApp(deps: AppDeps): App {
  const sinks = deps.sinks ?? [];
  const clock = deps.clock ?? (() => performance.now());
  const startedAt = clock();
  const loadedAt = new Date((deps.now ?? Date.now)()).toISOString();
  let inFlight = 0;
  let served = 0;
  const pipeline: PipelineDeps = {
    config: deps.config,
    authenticate: deps.authenticate ??
      createAuthenticator(deps.callerKeys, { required: deps.config.auth.required }),
    ...(deps.admission ? { admission: deps.admission } : {}),
    ...(deps.projectAuth ? { projectAuth: deps.projectAuth } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.random ? { random: deps.random } : {}),
    ...(deps.shutdown ? { shutdown: deps.shutdown } : {}),
    targets: new TargetIndex(deps.config),
    bodyWatch: new BodyWatch(deps.config.server.bodyIdleTimeoutMs),
    bodyBudget: new BodyBudget(deps.config.server.maxBufferedBodyBytes, {
      waitMs: deps.config.server.bodyIdleTimeoutMs,
      ...(deps.shutdown ? { shutdown: deps.shutdown } : {}),
    }),
    upstreamAuth: deps.upstreamAuth,
    fetch: deps.fetch ?? ((input, init) => fetch(input, init)),
    now: deps.now ?? Date.now,
    clock,
    randomId: deps.randomId ?? (() => crypto.randomUUID()),
    sink: Object.assign((rec: CallRecord) => {
      inFlight--;
      served++;
      for (const sink of sinks) sink(rec);
    }, {
      started: (rec: CallRecord, reservedEur: number | null) => {
        for (const sink of sinks) sink.started?.(rec, reservedEur);
      },
    }),
    onInternalError: deps.onInternalError ??
      ((err, rec) =>
        console.error(
          JSON.stringify({ level: "error", msg: "Request failed", id: rec.id, error: String(err) }),
        )),
  };
  const modelList = JSON.stringify({
    object: "list",
    data: pipeline.targets.models.map((m) => ({
      id: m.id,
      object: "model",
      created: 0,
      owned_by: m.ownedBy,
    })),
  });

  const targetHealth = (): TargetHealth[] => {
    const now = clock();
    return [...pipeline.targets.targets].map((t) => ({
      upstream: t.upstream.name,
      deployment: t.deployment.name,
      breaker: t.health.state(now),
      inFlight: t.health.inFlight,
    }));
  };
  const managers = new Set(deps.managementDigests ?? []);
  // Anonymous callers learn liveness and readiness; the config path, upstream names and spend need a
  // management token or a client on this machine.
  const mayReadDetail = (req: Request, info: ConnectionInfo | undefined): boolean => {
    if (isLocal(info)) return true;
    const auth = req.headers.get("authorization");
    return managers.size > 0 && auth !== null && /^bearer /i.test(auth) &&
      managers.has(sha256Hex(auth.slice(7).trim()));
  };
  const upstreamStatus = (): (UpstreamStatus & { deployments: number })[] =>
    deps.config.upstreams.map((u) => {
      const s = deps.upstreamAuth.get(u.name)?.status() ?? { ok: false, expiresAt: null, error: "no auth" };
      return {
        name: u.name,
        kind: u.kind,
        auth: u.auth.type,
        ready: s.ok,
        ...(s.expiresAt ? { tokenExpiresAt: s.expiresAt } : {}),
        ...(s.error ? { error: s.error } : {}),
        deployments: u.deployments.length,
      };
    });
  const health = (url: URL, detail: boolean): Response => {
    const upstreams = upstreamStatus().map(({ tokenExpiresAt, ...u }) => ({
      ...u,
      ...(tokenExpiresAt ? { token_expires_at: tokenExpiresAt } : {}),
    }));
    const ready = upstreams.every((u) => u.ready) && (deps.ready?.() ?? true);
    const body = {
      status: ready ? "ok" : "degraded",
      version: VERSION,
      uptime_s: Math.round((clock() - startedAt) / 1000),
      in_flight: inFlight,
      targets: targetHealth().map((t) => ({
        upstream: t.upstream,
        deployment: t.deployment,
        breaker: t.breaker,
        in_flight: t.inFlight,
      })),
      requests: served,
      config: { source: deps.config.source, ok: true, loaded_at: loadedAt },
      ...deps.health?.(),
      upstreams,
    };
    // Liveness is 200 whenever the process answers; `?ready` turns "not ready" into 503 for probes.
    const status = !ready && url.searchParams.has("ready") ? 503 : 200;
    return new Response(JSON.stringify(detail ? body : { status: body.status }), {
      status,
      headers: JSON_HEADERS,
    });
  };

  const app = (async (req: Request, info?: ConnectionInfo): Promise<Response> => {
    const url = new URL(req.url);
    const route = matchRoute(req.method, url.pathname);
    if (route === null) return unmatched(req.method, url.pathname);
    switch (route.kind) {
      case "health":
        return health(url, mayReadDetail(req, info));
      case "models":
        try {
          await pipeline.authenticate(req.headers);
        } catch (err) {
          return errorResponse(err, route.dialect);
        }
        return new Response(modelList, { headers: JSON_HEADERS });
      case "manage":
        if (deps.manage === undefined) {
          return errorResponse(new GatewayError(404, "manage_disabled", "The management API is not enabled"));
        }
        return await deps.manage(req);
      case "admin":
        if (deps.admin === undefined) {
          return errorResponse(new GatewayError(404, "admin_disabled", "The admin UI is not enabled"));
        }
        return await deps.admin(req, { inFlight, targets: targetHealth(), upstreams: upstreamStatus() });
      case "metrics":
        if (deps.metrics === undefined) {
          return errorResponse(
            new GatewayError(404, "metrics_disabled", "Metrics are turned off in the config"),
          );
        }
        return new Response(deps.metrics.render({ inFlight }), { headers: METRICS_HEADERS });
      case "inference":
        inFlight++;
        return await handleInference(req, url, route, pipeline);
    }
  }) as App;
  Object.defineProperty(app, "inFlight", { get: () => inFlight });
  Object.defineProperty(app, "targets", { get: targetHealth });
  return app;
}

/** 405 with `Allow` for a served path and the wrong method, 501 for a path the gateway does not serve. */
function unmatched(method: string, pathname: string): Response {
  const dialect = pathname === "/v1/messages" ? "anthropic" : "openai";
  const allow = allowedMethods(pathname);
  if (allow !== null) {
    return errorResponse(
      new GatewayError(405, "method_not_allowed", `${pathname} takes ${allow}, not ${method}`, {
        headers: { allow },
      }),
      dialect,
    );
  }
  return errorResponse(
    new GatewayError(501, "unsupported_endpoint", `The gateway does not serve ${method} ${pathname}`),
    dialect,
  );
}

/** A loopback client, or one connecting from this machine's own address (`azmw status` on a LAN bind). */
function isLocal(info: ConnectionInfo | undefined): boolean {
  const remote = info?.remoteAddr;
  if (remote === undefined || remote.transport !== "tcp") return false;
  const h = remote.hostname;
  if (h === "::1" || h.startsWith("127.") || h.startsWith("::ffff:127.")) return true;
  const local = info?.localAddr;
  return local !== undefined && local.transport === "tcp" && local.hostname === h;
}

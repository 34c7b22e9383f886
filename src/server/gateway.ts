/**
 * The gateway's lifecycle around `createApp`: listen, swap the handler on reload (calls in flight keep
 * the old one), and shut down gracefully — stop accepting, let open calls and streams finish up to a
 * deadline, then flush what the sinks hold.
 */
import type { Config } from "../config/types.ts";
import type { AppLog } from "../observability/app_log.ts";
import { createGatewayMetrics, type GatewayMetrics } from "../observability/metrics.ts";
import { createTracing } from "../observability/tracing.ts";
import type { GovernanceRuntime } from "../governance/runtime.ts";
import type { AdmissionStage } from "../pipeline/admission.ts";
import type { CallSink } from "../pipeline/record.ts";
import { type App, type ConnectionInfo, createApp } from "./app.ts";
import { errorResponse } from "./errors.ts";
import { serveGuarded } from "./listener.ts";
import { connectionCapWarning, listenerEvents } from "./listener_log.ts";
import { buildAppDeps, type RuntimeOptions } from "./runtime.ts";

/** What the running gateway needs beyond its config. */
export interface GatewayOptions extends RuntimeOptions {
  log: AppLog;
  /** Consumers of finished calls besides metrics (the request log). */
  sinks?: CallSink[];
  /** Runs last on shutdown (flush the request log, stop an embedded mock). */
  onClose?: () => Promise<void>;
  metrics?: GatewayMetrics;
  /** Store-backed callers, policies, rate limits and the management API. */
  governance?: GovernanceRuntime;
  /** More admission stages after governance (the budget), fixed or built per config generation. */
  admission?: readonly AdmissionStage[] | ((config: Config) => readonly AdmissionStage[]);
  /** Extra fields for `/health` (today's spend). */
  health?: () => Record<string, unknown>;
}

/** A listening gateway. */
export interface RunningGateway {
  url: string;
  readonly config: Config;
  metrics: GatewayMetrics;
  /** Builds the new config's pipeline and swaps it in; throws (and keeps the old one) on failure. */
  reload(next: Config): Promise<void>;
  /** Stops accepting, waits for open calls up to `deadlineMs`, then closes the sinks. */
  shutdown(deadlineMs: number): Promise<{ graceful: boolean }>;
}

/** Starts listening on the config's host and port. */
export async function startGateway(config: Config, options: GatewayOptions): Promise<RunningGateway> {
  const metrics = options.metrics ?? createGatewayMetrics();
  const tracing = createTracing();
  const sinks = [metrics.sink, tracing.sink, ...(options.sinks ?? [])];
  type Generation = { config: Config; app: App; close(): void };
  const retired = new Set<Generation>();
  const build = async (c: Config): Promise<Generation> => {
    const deps = await buildAppDeps(c, options);
    const governed = options.governance?.forConfig(c, deps.callerKeys);
    const more = typeof options.admission === "function" ? options.admission(c) : options.admission ?? [];
    const admission = [...(governed ? [governed.admission] : []), ...more];
    const app = createApp({
      ...deps,
      sinks,
      metrics: source,
      admission,
      ...(governed ? { authenticate: governed.authenticate } : {}),
      ...(options.governance ? { manage: options.governance.manage } : {}),
      ...(options.health ? { health: options.health } : {}),
    });
    return { config: c, app, close: deps.close };
  };
  // A retired generation keeps serving its open calls; its connection pools close once they are done.
  const sweep = () => {
    for (const g of retired) {
      if (g.app.inFlight === 0) {
        retired.delete(g);
        g.close();
      }
    }
  };
  const sweeper = setInterval(sweep, 1000);
  Deno.unrefTimer(sweeper);
  const source = {
    render: (live: { inFlight: number }) => {
      sweep();
      let inFlight = live.inFlight;
      for (const g of retired) inFlight += g.app.inFlight;
      return metrics.render({ inFlight });
    },
  };
  let current = await build(config);
  const BREAKER_VALUE = { closed: 0, half_open: 1, open: 2 } as const;
  metrics.gauge(
    "azmw_breaker_state",
    "Circuit breaker per upstream deployment: 0 closed, 1 half-open, 2 open",
    ["upstream", "deployment"],
    () =>
      current.app.targets.map((
        t,
      ) => [{ upstream: t.upstream, deployment: t.deployment }, BREAKER_VALUE[t.breaker]]),
  );
  metrics.gauge(
    "azmw_upstream_in_flight_requests",
    "Calls in flight per upstream deployment",
    ["upstream", "deployment"],
    () => current.app.targets.map((t) => [{ upstream: t.upstream, deployment: t.deployment }, t.inFlight]),
  );

  const handler = tracing.wrap(async (req: Request, info?: ConnectionInfo): Promise<Response> => {
    const res = await current.app(req, info);
    const overhead = res.headers.get("x-azmw-overhead-ms");
    if (overhead !== null) metrics.observeOverhead(Number(overhead) / 1000);
    return res;
  });
  const server = serveGuarded({
    hostname: config.server.host,
    port: config.server.port,
    maxConnections: config.server.maxConnections,
    headerTimeoutMs: config.server.headerTimeoutMs,
    onError: (err) => {
      options.log.error("Unhandled request error", { error: err instanceof Error ? err : String(err) });
      return errorResponse(err);
    },
    onEvent: listenerEvents(options.log),
  }, handler);
  const addr = server.addr;
  const capWarning = connectionCapWarning(config.server.maxConnections, await readLimits());
  if (capWarning !== null) options.log.warn(capWarning);
  const conn = (pick: (s: ReturnType<typeof server.stats>) => number) => () =>
    [[undefined, pick(server.stats())]] as [undefined, number][];
  metrics.gauge("azmw_client_connections", "Open client connections", [], conn((s) => s.open));
  metrics.gauge(
    "azmw_client_connections_refused_total",
    "Client connections refused at server.max_connections",
    [],
    conn((s) => s.refused),
    { counter: true },
  );
  metrics.gauge(
    "azmw_client_connections_timed_out_total",
    "Client connections closed for a stalled request head (server.header_timeout_ms) or body",
    [],
    conn((s) => s.timedOut),
    { counter: true },
  );
  metrics.gauge(
    "azmw_accept_errors_total",
    "Failed accepts (EMFILE and the like); the listener backs off and retries",
    [],
    conn((s) => s.acceptErrors),
    { counter: true },
  );
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const url = `http://${host}:${addr.port}`;

  return {
    url,
    get config() {
      return current.config;
    },
    metrics,
    async reload(next) {
      const generation = await build(next);
      if (
        next.server.host !== current.config.server.host || next.server.port !== current.config.server.port
      ) {
        options.log.warn("The listen address changes only on restart", {
          listening: url,
          configured: `${next.server.host}:${next.server.port}`,
        });
      }
      const was = current.config.server;
      if (
        next.server.headerTimeoutMs !== was.headerTimeoutMs ||
        next.server.maxConnections !== was.maxConnections
      ) {
        options.log.warn("server.header_timeout_ms and server.max_connections change only on restart", {
          header_timeout_ms: was.headerTimeoutMs,
          max_connections: was.maxConnections,
        });
      }
      retired.add(current);
      current = generation;
    },
    async shutdown(deadlineMs) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceful = await Promise.race([
        server.shutdown().then(() => true),
        new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), deadlineMs)),
      ]);
      clearTimeout(timer);
      clearInterval(sweeper);
      for (const g of [...retired, current]) g.close();
      await options.onClose?.();
      return { graceful };
    },
  };
}

function readLimits(): Promise<string | null> {
  return Deno.readTextFile("/proc/self/limits").catch(() => null);
}

/**
 * The gateway's lifecycle around `createApp`: build a generation (`buildGeneration`: the config's
 * pipeline) and its app, listen, swap in a new generation on reload (calls in flight keep the old one),
 * and shut down gracefully — stop accepting, let open calls and streams finish up to a
 * deadline, end the ones still open (an error event in their dialect, and their records), then flush what
 * the sinks hold. Every wait after the deadline is bounded, so a shutdown takes at most the grace plus
 * `SHUTDOWN_CLOSE_MS` twice and `SHUTDOWN_DRAIN_MS`.
 */
import type { Config } from "../config/types.ts";
import type { AppLog } from "../observability/app_log.ts";
import { createGatewayMetrics, type GatewayMetrics } from "../observability/metrics.ts";
import { upstreamInfos } from "../observability/genai.ts";
import { createTracing } from "../observability/tracing.ts";
import type { CallSink } from "../core/record.ts";
import { type App, type AppRoutes, type ConnectionInfo, createApp } from "./app.ts";
import { errorResponse } from "../core/errors.ts";
import { serveGuarded } from "./listener.ts";
import { connectionCapWarning, listenerEvents } from "./listener_log.ts";
import { bodyBudgetOf, buildGeneration, type GenerationParts, type RuntimeOptions } from "./runtime.ts";

/** How long calls ended at the shutdown deadline get to deliver their error event and close. */
export const SHUTDOWN_CLOSE_MS = 1_000;
/** How long the sinks (the request log) get to write what they hold after the calls have ended. */
export const SHUTDOWN_DRAIN_MS = 5_000;
// serve's onClose bounds the log at SHUTDOWN_DRAIN_MS and the rest at SHUTDOWN_CLOSE_MS; the gateway's
// own bound on onClose is the sum, a backstop that never cuts a drain serve still allows.

/** Whether `promise` settled within `ms` (it is not cancelled otherwise; its rejection is ignored). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise.then(() => true, () => true),
      new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), ms)),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The waits of a shutdown after its deadline. */
export interface ShutdownBounds {
  /** How long ended calls get to close (default `SHUTDOWN_CLOSE_MS`). */
  closeMs?: number;
  /** How long `onClose` gets (default `SHUTDOWN_DRAIN_MS + SHUTDOWN_CLOSE_MS`). */
  drainMs?: number;
}

/** What the running gateway needs beyond its config (`azmw serve` composes it). */
export interface GatewayOptions extends RuntimeOptions, Pick<GenerationParts, "callers"> {
  log: AppLog;
  /** Consumers of finished calls besides metrics and tracing (the request log). */
  sinks?: CallSink[];
  /** Runs last on shutdown (flush the request log, stop an embedded mock); bound its own waits. */
  onClose?: () => Promise<void>;
  metrics?: GatewayMetrics;
  /** The management API, admin UI, `/health` extras and readiness every generation's app serves. */
  routes?: AppRoutes;
}

/** A listening gateway. */
export interface RunningGateway {
  url: string;
  readonly config: Config;
  metrics: GatewayMetrics;
  /** Builds the new config's pipeline and swaps it in; throws (and keeps the old one) on failure. */
  reload(next: Config): Promise<void>;
  /** Breaker state of every upstream deployment of the live config (the event bus watches it). */
  breakers(): { upstream: string; deployment: string; state: string }[];
  /**
   * Stops accepting and waits for open calls up to `deadlineMs`; then ends the ones still open with a
   * `shutdown` error (streams get an error event in their dialect; every call gets its record), waits up
   * to `SHUTDOWN_CLOSE_MS` for them to close, and closes the sinks. `ended`: calls cut at the deadline.
   */
  shutdown(deadlineMs: number, bounds?: ShutdownBounds): Promise<{ graceful: boolean; ended: number }>;
}

/** Starts listening on the config's host and port. */
export async function startGateway(config: Config, options: GatewayOptions): Promise<RunningGateway> {
  const metrics = options.metrics ?? createGatewayMetrics();
  let upstreams = upstreamInfos(config.upstreams);
  const tracing = createTracing({ upstream: (name) => upstreams.get(name) });
  const sinks = [metrics.sink, tracing.sink, ...(options.sinks ?? [])];
  const stopping = new AbortController();
  // One budget for the gateway's life: calls of a retired generation keep holding room in it.
  const bodyBudget = bodyBudgetOf(config, stopping.signal);
  // A config's pipeline and the app serving it; a reload swaps in a new one.
  type Live = { config: Config; app: App; close(): void };
  const retired = new Set<Live>();
  const build = async (c: Config): Promise<Live> => {
    const parts = { callers: options.callers, sinks, shutdown: stopping.signal, bodyBudget };
    const generation = await buildGeneration(c, parts, options);
    upstreams = upstreamInfos(c.upstreams);
    const app = createApp({
      ...options.routes,
      pipeline: generation.pipeline,
      metrics: source,
      managementDigests: generation.managementDigests,
    });
    return { config: c, app, close: generation.close };
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
  const BREAKER_STATES = ["closed", "half_open", "open"] as const;
  metrics.gauge(
    "azmw_breaker_state",
    "Circuit breaker per upstream deployment: 1 for its current state (closed, half_open, open), 0 for the others",
    ["upstream", "deployment", "state"],
    () =>
      current.app.targets.flatMap((t) =>
        BREAKER_STATES.map((state) =>
          [{ upstream: t.upstream, deployment: t.deployment, state }, t.breaker === state ? 1 : 0] as [
            Record<string, string>,
            number,
          ]
        )
      ),
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
    breakers: () =>
      current.app.targets.map((t) => ({ upstream: t.upstream, deployment: t.deployment, state: t.breaker })),
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
      if (next.server.maxBufferedBodyBytes !== was.maxBufferedBodyBytes) {
        options.log.warn("server.max_buffered_body_bytes changes only on restart", {
          max_buffered_body_bytes: was.maxBufferedBodyBytes,
        });
      }
      retired.add(current);
      current = generation;
    },
    async shutdown(deadlineMs, bounds = {}) {
      const stopped = server.shutdown();
      const graceful = await settlesWithin(stopped, deadlineMs);
      let ended = 0;
      if (!graceful) {
        for (const g of [...retired, current]) ended += g.app.inFlight;
        stopping.abort();
        await settlesWithin(stopped, bounds.closeMs ?? SHUTDOWN_CLOSE_MS);
      }
      clearInterval(sweeper);
      for (const g of [...retired, current]) g.close();
      if (
        options.onClose &&
        !await settlesWithin(options.onClose(), bounds.drainMs ?? SHUTDOWN_DRAIN_MS + SHUTDOWN_CLOSE_MS)
      ) {
        options.log.warn("Shutdown did not finish closing the sinks in time; exiting without them");
      }
      return { graceful, ended };
    },
  };
}

function readLimits(): Promise<string | null> {
  return Deno.readTextFile("/proc/self/limits").catch(() => null);
}

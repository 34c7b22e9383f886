/**
 * The gateway's lifecycle around `createApp`: listen, swap the handler on reload (calls in flight keep
 * the old one), and shut down gracefully — stop accepting, let open calls and streams finish up to a
 * deadline, then flush what the sinks hold.
 */
import type { Config } from "../config/types.ts";
import type { AppLog } from "../observability/app_log.ts";
import { createGatewayMetrics, type GatewayMetrics } from "../observability/metrics.ts";
import { createTracing } from "../observability/tracing.ts";
import type { CallSink } from "../pipeline/record.ts";
import { type App, createApp } from "./app.ts";
import { errorResponse } from "./errors.ts";
import { buildAppDeps, type RuntimeOptions } from "./runtime.ts";

/** What the running gateway needs beyond its config. */
export interface GatewayOptions extends RuntimeOptions {
  log: AppLog;
  /** Consumers of finished calls besides metrics (the request log). */
  sinks?: CallSink[];
  /** Runs last on shutdown (flush the request log, stop an embedded mock). */
  onClose?: () => Promise<void>;
  metrics?: GatewayMetrics;
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
  const retired = new Set<App>();
  const build = async (c: Config) =>
    createApp({ ...(await buildAppDeps(c, options)), sinks, metrics: source });
  const source = {
    render: (live: { inFlight: number }) => {
      let inFlight = live.inFlight;
      for (const a of retired) {
        if (a.inFlight === 0) retired.delete(a);
        else inFlight += a.inFlight;
      }
      return metrics.render({ inFlight });
    },
  };
  let current = { config, app: await build(config) };

  const handler = tracing.wrap(async (req: Request): Promise<Response> => {
    const res = await current.app(req);
    const overhead = res.headers.get("x-azmw-overhead-ms");
    if (overhead !== null) metrics.observeOverhead(Number(overhead) / 1000);
    return res;
  });
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: config.server.host,
    port: config.server.port,
    onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
    onError: (err) => {
      options.log.error("Unhandled request error", { error: err instanceof Error ? err : String(err) });
      return errorResponse(err);
    },
  }, handler);
  const addr = await listening.promise;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const url = `http://${host}:${addr.port}`;

  return {
    url,
    get config() {
      return current.config;
    },
    metrics,
    async reload(next) {
      const app = await build(next);
      if (
        next.server.host !== current.config.server.host || next.server.port !== current.config.server.port
      ) {
        options.log.warn("The listen address changes only on restart", {
          listening: url,
          configured: `${next.server.host}:${next.server.port}`,
        });
      }
      retired.add(current.app);
      current = { config: next, app };
    },
    async shutdown(deadlineMs) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceful = await Promise.race([
        server.shutdown().then(() => true),
        new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), deadlineMs)),
      ]);
      clearTimeout(timer);
      await options.onClose?.();
      return { graceful };
    },
  };
}

/**
 * The gateway's Prometheus metrics: a call-record sink that counts requests, latency, time to first
 * byte, tokens, retries and rejections, plus gauges read at scrape time (in-flight calls, log queue,
 * memory). Label values are bounded: models and upstreams come from the config, never free text, and no
 * key, token or secret is ever a label.
 */
import type { CallRecord } from "../pipeline/record.ts";
import { VERSION } from "../version.ts";
import { readProcess } from "./process.ts";
import { Counter, Gauge, Histogram, Registry } from "./registry.ts";

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];

/** Why the gateway itself refused a call (a label of `azmw_rejections_total`). */
export type RejectionReason = "auth" | "policy" | "rate_limit" | "cost_cap" | "bad_request" | "not_found";

/** The gateway metrics and their sink. */
export interface GatewayMetrics {
  registry: Registry;
  /** Counts a finished call. */
  sink(record: CallRecord): void;
  /** Records the gateway's own time on a relayed call (header time minus upstream time). */
  observeOverhead(seconds: number): void;
  /** Renders the exposition with live values. */
  render(live: { inFlight: number }): string;
  /** Adds a value read at scrape time (log queue depth, breaker state, …); `counter` for monotonic ones. */
  gauge(
    name: string,
    help: string,
    labelNames: readonly string[],
    collect: () => [Record<string, string> | undefined, number][],
    options?: { counter?: boolean },
  ): void;
}

/** Maps a gateway-made error status and code to a rejection reason, or null for upstream outcomes. */
export function rejectionReason(record: CallRecord): RejectionReason | null {
  if (record.attempts > 0 || typeof record.status !== "number") return null;
  const code = record.error?.code ?? "";
  switch (record.status) {
    case 401:
      return "auth";
    case 403:
    case 413:
      return "policy";
    case 429:
      return code.includes("cost") || code.includes("budget") ? "cost_cap" : "rate_limit";
    case 404:
      return "not_found";
    default:
      return record.status >= 400 && record.status < 500 ? "bad_request" : null;
  }
}

/** Creates the metrics; `now` (ms) is only used for the process start time. */
export function createGatewayMetrics(options: { now?: () => number } = {}): GatewayMetrics {
  const registry = new Registry();
  const startedAt = (options.now ?? Date.now)() / 1000;
  const requests = registry.add(
    new Counter("azmw_requests_total", "Calls handled, by dialect, operation, model, upstream and status", [
      "dialect",
      "operation",
      "model",
      "upstream",
      "status",
    ]),
  );
  const duration = registry.add(
    new Histogram("azmw_request_duration_seconds", "Whole call duration, body included", [
      "dialect",
      "operation",
      "model",
      "upstream",
    ], LATENCY_BUCKETS),
  );
  const ttfb = registry.add(
    new Histogram(
      "azmw_upstream_ttfb_seconds",
      "Time until the upstream's response headers",
      ["upstream"],
      LATENCY_BUCKETS,
    ),
  );
  const overhead = registry.add(
    new Histogram(
      "azmw_gateway_overhead_seconds",
      "Gateway time minus upstream time per relayed call",
      [],
      OVERHEAD_BUCKETS,
    ),
  );
  const tokens = registry.add(
    new Counter("azmw_tokens_total", "Tokens by kind (prompt includes cached)", [
      "model",
      "upstream",
      "kind",
    ]),
  );
  const cost = registry.add(
    new Counter("azmw_cost_eur_total", "Cost of calls in EUR (estimated ones included)", [
      "model",
      "project",
    ]),
  );
  const retries = registry.add(
    new Counter("azmw_retries_total", "Upstream attempts beyond the first", ["upstream"]),
  );
  const rejections = registry.add(
    new Counter("azmw_rejections_total", "Calls the gateway refused before any upstream attempt", ["reason"]),
  );
  const streams = registry.add(
    new Counter("azmw_client_disconnects_total", "Calls whose client left before the end", ["operation"]),
  );
  const inFlight = registry.add(new Gauge("azmw_in_flight_requests", "Calls in progress"));
  registry.add(new Gauge("azmw_build_info", "Build information", ["version"])).set({ version: VERSION }, 1);
  registry.add(new Gauge("process_start_time_seconds", "Start time of the process since the epoch")).set(
    undefined,
    startedAt,
  );
  // One /proc read per scrape serves every process_* metric.
  let reading = readProcess();
  const processValue = (pick: (r: ReturnType<typeof readProcess>) => number | null) => () => {
    const v = pick(reading);
    return v === null ? [] : [[undefined, v]] as [undefined, number][];
  };
  registry.add(new Gauge("process_cpu_seconds_total", "Total user and system CPU time spent in seconds"))
    .collect(() => {
      reading = readProcess();
      return [[undefined, reading.cpuSeconds]];
    }).asCounter();
  registry.add(new Gauge("process_resident_memory_bytes", "Resident memory size in bytes"))
    .collect(processValue((r) => r.residentBytes));
  registry.add(new Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes"))
    .collect(processValue((r) => r.virtualBytes));
  registry.add(new Gauge("process_heap_bytes", "Process heap size in bytes"))
    .collect(processValue((r) => r.heapBytes));
  registry.add(new Gauge("process_open_fds", "Number of open file descriptors"))
    .collect(processValue((r) => r.openFds));
  registry.add(new Gauge("process_max_fds", "Maximum number of open file descriptors"))
    .collect(processValue((r) => r.maxFds));

  return {
    registry,
    sink(r) {
      const upstream = r.upstream ?? "none";
      const model = r.deployment === null ? "unknown" : (r.model ?? r.deployment);
      const operation = r.operation ?? "none";
      requests.inc({ dialect: r.dialect, operation, model, upstream, status: String(r.status) });
      duration.observe({ dialect: r.dialect, operation, model, upstream }, r.latencyMs / 1000);
      if (r.ttfbMs !== null && r.upstream !== null) ttfb.observe({ upstream }, r.ttfbMs / 1000);
      if (r.attempts > 1) retries.inc({ upstream }, r.attempts - 1);
      if (r.costEur) cost.inc({ model, project: r.caller?.project ?? "none" }, r.costEur);
      if (r.status === "client_closed") streams.inc({ operation });
      const reason = rejectionReason(r);
      if (reason) rejections.inc({ reason });
      const u = r.usage;
      if (u) {
        if (u.promptTokens) tokens.inc({ model, upstream, kind: "prompt" }, u.promptTokens);
        if (u.completionTokens) tokens.inc({ model, upstream, kind: "completion" }, u.completionTokens);
        if (u.cachedTokens) tokens.inc({ model, upstream, kind: "cached" }, u.cachedTokens);
        if (u.reasoningTokens) tokens.inc({ model, upstream, kind: "reasoning" }, u.reasoningTokens);
        if (u.cacheWriteTokens) tokens.inc({ model, upstream, kind: "cache_write" }, u.cacheWriteTokens);
      }
    },
    observeOverhead(seconds) {
      overhead.observe(undefined, seconds);
    },
    render(live) {
      inFlight.set(undefined, live.inFlight);
      return registry.render();
    },
    gauge(name, help, labelNames, collect, options) {
      const g = new Gauge(name, help, labelNames).collect(collect);
      registry.add(options?.counter ? g.asCounter() : g);
    },
  };
}

/** Fabricated benchmark results for the report tests (no measurement involved). */
import type { LatencySummary } from "../../src/bench/histogram.ts";
import type { LoadResult } from "../../src/bench/recorder.ts";
import type { OverheadReport } from "../../src/bench/overhead/runner.ts";
import { overheadPlan } from "../../src/bench/overhead/plan.ts";
import { checkTargets } from "../../src/bench/overhead/targets.ts";
import { serveRelay } from "../../src/bench/overhead/relay.ts";

/** A summary whose percentiles are `base` × 1, 2, 4, 8, 10 µs. */
export function summary(base: number, count = 1000): LatencySummary {
  return {
    count,
    minUs: base / 2,
    meanUs: base * 1.2,
    p50Us: base,
    p90Us: base * 2,
    p99Us: base * 4,
    p999Us: base * 8,
    maxUs: base * 10,
  };
}

/** A load result around a p50 of `p50Us`. */
export function result(p50Us: number, over: Partial<LoadResult> = {}): LoadResult {
  return {
    elapsedMs: 1000,
    completed: 1000,
    ok: 1000,
    errors: 0,
    statuses: { "200": 1000 },
    throughputRps: 1000,
    latency: summary(p50Us),
    ttfb: summary(p50Us / 2),
    headers: summary(p50Us / 2),
    chunkGap: summary(0, 0),
    chunks: 0,
    stalls: 0,
    overhead: summary(0, 0),
    ...over,
  };
}

const points = [{ percentile: 0, us: 100 }, { percentile: 90, us: 200 }, { percentile: 100, us: 900 }];
const spectra = { direct: points, gateway: points.map((p) => ({ ...p, us: p.us + 150 })) };

/** The bare relay's lanes of `fakeReport()`. */
export function fakeRelayLanes(lanes: OverheadReport["lanes"]): OverheadReport["lanes"] {
  const relay = structuredClone(lanes);
  delete relay.frontier;
  delete relay.soak;
  Object.assign(relay.latency!, {
    addedP50Ms: 0.15,
    addedP99Ms: 1,
    cost: { cpuUsPerRequest: 100, rssPeak: 2 ** 27 },
  });
  Object.assign(relay.throughput!.points[1]!, {
    keptPct: 50,
    cost: { cpuUsPerRequest: 80, rssPeak: 120 * 2 ** 20 },
  });
  Object.assign(relay.stream!, { addedTtfbP50Ms: 0.2, addedGapP50Ms: 0.05 });
  return relay;
}

/**
 * A complete overhead report with the relay: against it throughput (0.8×), CPU at c=1 (1.4×), p50
 * (+0.05 ms), first chunk, chunk gap, RSS under load (1.25×) and idle RSS pass; CPU at c=50 (2.5×), p99
 * (+0.6 ms) and 1,000 streams (200 MiB) fail.
 */
export function fakeReport(): OverheadReport {
  const lanes: OverheadReport["lanes"] = {
    latency: {
      concurrency: 1,
      requestsPerSide: 1000,
      direct: result(300),
      gateway: result(500, { overhead: summary(90) }),
      spectra,
      cost: { cpuUsPerRequest: 140, rssPeak: 150 * 2 ** 20 },
      addedP50Ms: 0.2,
      addedP90Ms: 0.4,
      addedP99Ms: 1.6,
      addedP999Ms: 3.2,
    },
    throughput: {
      durationMsPerRound: 5000,
      points: [
        {
          concurrency: 10,
          stream: false,
          direct: result(500),
          gateway: result(900, { throughputRps: 600 }),
          spectra,
          keptPct: 60,
          addedP50Ms: 0.4,
          addedP99Ms: 1.6,
        },
        {
          concurrency: 50,
          stream: false,
          direct: result(2000, { throughputRps: 10000 }),
          gateway: result(5000, { throughputRps: 4000 }),
          spectra,
          cost: { cpuUsPerRequest: 200, rssPeak: 150 * 2 ** 20 },
          keptPct: 40,
          addedP50Ms: 3,
          addedP99Ms: 12,
        },
      ],
    },
    frontier: {
      stepMs: 3000,
      steps: [{
        targetRps: 250,
        keptUp: true,
        addedP99Ms: 0.5,
        direct: { achievedRps: 250, p50Us: 300, p99Us: 900, errors: 0 },
        gateway: { achievedRps: 250, p50Us: 500, p99Us: 1400, errors: 0 },
      }],
      frontier: [{ limitMs: 1, rps: 250 }, { limitMs: 5, rps: 250 }, { limitMs: 10, rps: null }],
    },
    stream: {
      concurrency: 10,
      streamsPerSide: 100,
      chunks: 64,
      chunkDelayMs: 20,
      stallThresholdMs: 25,
      direct: result(1_280_000, { chunks: 6400, chunkGap: summary(20_100) }),
      gateway: result(1_281_000, { chunks: 6400, chunkGap: summary(20_200), stalls: 3 }),
      spectra,
      ttfbSpectra: spectra,
      addedTtfbP50Ms: 0.3,
      addedTtfbP99Ms: 0.9,
      addedHeadersP50Ms: 0.2,
      addedGapP50Ms: 0.1,
      addedGapP99Ms: 0.4,
      addedGapMeanMs: 0.1,
      stalls: { direct: 0, gateway: 3 },
    },
    soak: {
      requests: 100_000,
      concurrency: 10,
      load: result(600),
      rssBefore: 60 * 2 ** 20,
      rssPeak: 90 * 2 ** 20,
      rssAfter: 70 * 2 ** 20,
      growthPer100k: 10 * 2 ** 20,
    },
    memory: {
      streams: 1000,
      opened: 1000,
      failed: {},
      rssIdle: 60 * 2 ** 20,
      rssOpen: 200 * 2 ** 20,
      rssAfter: 120 * 2 ** 20,
      openMs: 900,
    },
  };
  return {
    version: "0.1.0",
    startedAt: "2026-01-01T00:00:00.000Z",
    durationS: 200,
    machine: {
      cpus: 2,
      cpuModel: "Test CPU",
      memTotalBytes: 8 * 2 ** 30,
      os: "linux x86_64",
      deno: "2.9.6",
      v8: "15.0",
    },
    plan: overheadPlan(false),
    dialect: "azure",
    subject: "gateway",
    gatewayConfig: "default",
    lanes,
    relay: fakeRelayLanes(lanes),
    targets: checkTargets(lanes, fakeRelayLanes(lanes)),
    otherCpuPct: 2.5,
  };
}

/**
 * Calls a relay handler as the tests of both relays do: without a key (asserted 401), then with the caller
 * key "caller" as `api-key` on an Azure-style path; returns the second response.
 */
export async function callWithKey(
  handler: (req: Request) => Promise<Response>,
  body: string,
): Promise<Response> {
  const denied = await handler(new Request("http://relay/v1/chat", { method: "POST", body: "{}" }));
  if (denied.status !== 401) throw new Error(`expected 401 without a key, got ${denied.status}`);
  await denied.body?.cancel();
  return handler(
    new Request("http://relay/openai/x?api-version=1", {
      method: "POST",
      headers: { "api-key": "caller" },
      body,
    }),
  );
}

/** Serves a relay (`serveRelay`) in front of a port nothing listens on; its URL and a `stop()` that awaits it. */
export async function servedRelay(options: { floor?: boolean | "bare" } = {}) {
  const stop = new AbortController();
  const ready = Promise.withResolvers<string>();
  const served = serveRelay({
    upstream: "http://127.0.0.1:9",
    callerKey: "c",
    upstreamKey: "u",
    ...options,
    signal: stop.signal,
    announce: (line) => ready.resolve(line),
  });
  const url = /^relay listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(await ready.promise)?.[1];
  if (url === undefined) throw new Error("the relay did not announce its port");
  return {
    url,
    stop: async () => {
      stop.abort();
      await served;
    },
  };
}

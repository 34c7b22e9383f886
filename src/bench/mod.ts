/**
 * The load generator and the overhead benchmark behind `azmw bench`.
 *
 * - {@linkcode runLoad}: closed loop, N keep-alive workers, by request count or duration;
 *   {@linkcode runOpenLoop}: open loop at a fixed rate, latency measured from when each request was due.
 * - {@linkcode LoadRecorder}: HDR histograms (µs) of latency, time to first byte, chunk gaps and the
 *   gateway's `x-azmw-overhead-ms`, plus counts by status.
 * - {@linkcode runOverhead}: mock and gateway as separate processes, direct vs through the gateway in
 *   alternating rounds, lanes latency / throughput / frontier / stream / soak / memory, then the same
 *   lanes through a bare relay; the targets of `overhead/targets.ts` checked against it.
 *
 * @example
 * ```ts
 * import { buildRequest, runLoad } from "./src/bench/mod.ts";
 * const req = buildRequest({ dialect: "openai", baseUrl: "http://127.0.0.1:8787", key: "k", model: "gpt-4o-mini", stream: false });
 * const result = await runLoad(req, { concurrency: 10, requests: 1000 });
 * console.log(result.throughputRps, result.latency.p99Us);
 * ```
 *
 * @module
 */
export { type BenchArgs, OVERHEAD_LANES, type OverheadLane, parseBenchArgs, parseDuration } from "./args.ts";
export { LatencyHistogram, type LatencySummary, loadHistograms, spectrumPercentiles } from "./histogram.ts";
export { type LoadOptions, type LoadProgress, runLoad } from "./load.ts";
export { type BenchFetch, createBenchClient, measureOnce, OVERHEAD_HEADER } from "./measure.ts";
export { type OpenLoopOptions, runOpenLoop } from "./open_loop.ts";
export { progressBar, progressLine } from "./progress.ts";
export { LoadRecorder, type LoadResult } from "./recorder.ts";
export { loadReportHtml, loadReportJson, loadReportText, type LoadRunInfo } from "./report.ts";
export { type BenchDialect, type BenchRequest, buildRequest, type RequestSpec } from "./request.ts";
export { overheadHtml, overheadJson, overheadMarkdown, overheadText } from "./overhead/render.ts";
export { type OverheadOptions, type OverheadReport, runOverhead } from "./overhead/runner.ts";
export { currentSelf, selfArgv, type SelfInfo } from "./overhead/self_argv.ts";

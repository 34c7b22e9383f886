/**
 * `azmw bench`: a load generator against any gateway or provider URL, and `--overhead`, the benchmark
 * of the gateway against a direct call to the same mock upstream. The heavy modules load only when run.
 */
import * as bench from "../bench/mod.ts";
import {
  type BenchArgs,
  type LoadArgs,
  type OverheadArgs,
  parseBenchArgs,
  type RelayArgs,
} from "../bench/args.ts";
import { overheadExitCode } from "../bench/overhead/targets.ts";
import { relayKeysFromEnv, serveRelay } from "../bench/overhead/relay.ts";
import type { CliIo, Command } from "../core/command.ts";

const HELP = `Usage: azmw bench --url URL --key KEY [options]
       azmw bench --overhead [--lanes LIST] [--quick] [--gateway-config FILE] [options]

Load generator: N concurrent workers on keep-alive connections send one chat request shape over and
over and report throughput, latency p50/p90/p99/p99.9/max (HDR histogram, µs resolution), time to first
byte and the gaps between chunks of streamed answers, and errors by status. A progress bar is drawn on
standard error when it is a terminal.

Load options:
      --url URL            Base URL of the server (the dialect decides the path)
  -k, --key KEY            Caller key, or env:NAME to read it from the environment
  -c, --concurrency N      Concurrent workers (default 10)
  -n, --requests N         Send N requests in total …
  -d, --duration TIME      … or keep sending for TIME: 30s, 500ms, 2m (default 30s)
      --stream             Ask for streamed answers
      --warmup N           Requests sent first and not measured (default 20)

Request shape (both modes):
      --dialect D          azure (default): POST /openai/deployments/{deployment}/chat/completions
                                            ?api-version=V with "api-key"
                           openai: POST /v1/chat/completions with "Authorization: Bearer"
                           anthropic: POST /v1/messages with "x-api-key" and "anthropic-version"
  -m, --model M            Model in the body (default gpt-4o-mini)
      --deployment D       Azure deployment (default: the model)
      --api-version V      Azure api-version (default 2024-10-21)
      --body FILE          Send this JSON body instead of the default one-message chat
  -H, --header "N: V"      Extra request header (repeatable), e.g. "x-mock-chunks: 32"

Output:
      --json               Print the report as JSON on standard output
      --html FILE          Also write the report as one self-contained HTML page (inline SVG plots)

Overhead benchmark (--overhead): needs no setup. Starts the mock upstream and a gateway in front of it
as separate processes of this same program, measures direct-to-mock against through-the-gateway in
alternating rounds, then the same lanes through a bare Deno.serve + fetch relay (key check, key swap,
body passed through), and checks the project's targets against the relay of the same run: throughput
and CPU per request (process, all threads, from /proc) as ratios, added latency as differences, RSS.
Prints PASS/FAIL per target and exits 1 when one fails. The default gateway config runs the full
pipeline: caller auth, a policy with (unreachable) rate limits and daily cost cap, and the request log
with sealed bodies.
      --lanes LIST         Comma-separated, default all:
                             latency     added p50/p99 at concurrency 1
                             throughput  requests/s kept at concurrency 10 and 50, streaming and not
                             frontier    open-loop rate ladder: highest rate whose added p99 stays
                                         under 1, 5 and 10 ms
                             stream      64 chunks 20 ms apart: added TTFB, added chunk gap, stalls
                             soak        gateway RSS before, at peak and after 100,000 requests
                             memory      gateway RSS with 1,000 streams open at once
      --quick              A short run for CI (fewer requests, shorter rounds)
      --no-fail            Exit 0 even when a target fails (exploratory runs)
      --rounds N           Alternating direct/gateway rounds per measurement (default 3, quick 2)
      --gateway-config FILE
                           Gateway config to measure instead of the default one. Placeholders:
                           {{MOCK_URL}} (the mock's base URL), {{DATA_DIR}} (a fresh temp dir).
                           Give the caller key as env:AZMW_BENCH_KEY, the upstream key as
                           env:AZMW_BENCH_UPSTREAM_KEY and a log sealing key as env:AZMW_BENCH_LOG_KEY
                           (fresh random values each run); the deployment "gpt-4o-mini" (or --model /
                           --deployment) must exist.

  -h, --help               Show this help

Examples:
  azmw bench --url http://127.0.0.1:8787 --key env:AZMW_KEY --dialect openai -c 50 -d 30s
  azmw bench --url http://127.0.0.1:8787 --key "$KEY" --stream -n 2000 --html report.html
  azmw bench --overhead
  azmw bench --overhead --lanes latency,stream --quick --json
`;

function resolveKey(key: string, io: CliIo): string {
  if (!key.startsWith("env:")) return key;
  const value = io.env(key.slice(4));
  if (!value) throw new Error(`The environment variable "${key.slice(4)}" named by "--key" is not set`);
  return value;
}

async function readBody(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    throw new Error(`Cannot read the body file "${path}": ${err instanceof Error ? err.message : err}`);
  }
}

async function runLoadMode(args: LoadArgs, io: CliIo): Promise<number> {
  await bench.loadHistograms();
  const body = await readBody(args.bodyFile);
  let req;
  try {
    req = bench.buildRequest({
      dialect: args.dialect,
      baseUrl: args.url,
      key: resolveKey(args.key, io),
      model: args.model,
      stream: args.stream,
      headers: args.headers,
      ...(args.deployment !== undefined && { deployment: args.deployment }),
      ...(args.apiVersion !== undefined && { apiVersion: args.apiVersion }),
      ...(body !== undefined && { body }),
    });
  } catch (err) {
    if (err instanceof SyntaxError) throw new Error(`The body file "${args.bodyFile}" is not a JSON object`);
    throw err;
  }
  const tty = Deno.stderr.isTerminal();
  const bar = bench.progressBar(io.stderr);
  const recorder = new bench.LoadRecorder();
  const result = await bench.runLoad(req, {
    concurrency: args.concurrency,
    warmup: args.warmup,
    recorder,
    signal: io.signal,
    ...(args.requests !== undefined && { requests: args.requests }),
    ...(args.durationMs !== undefined && { durationMs: args.durationMs }),
    ...(tty && { onProgress: bar.update }),
  });
  bar.done();
  const info = {
    url: req.url,
    dialect: args.dialect,
    stream: req.stream,
    concurrency: args.concurrency,
    warmup: args.warmup,
    ...(args.requests !== undefined && { requests: args.requests }),
    ...(args.durationMs !== undefined && { durationMs: args.durationMs }),
  };
  io.stdout(
    args.json
      ? JSON.stringify(bench.loadReportJson(info, result), null, 2) + "\n"
      : bench.loadReportText(info, result),
  );
  if (args.htmlFile !== undefined) {
    await Deno.writeTextFile(args.htmlFile, bench.loadReportHtml(info, recorder));
    io.stderr(`HTML report written to ${args.htmlFile}\n`);
  }
  if (result.ok === 0) {
    io.stderr(`azmw bench: no request succeeded (${result.completed} sent)\n`);
    return 1;
  }
  return 0;
}

async function runOverheadMode(args: OverheadArgs, io: CliIo): Promise<number> {
  const body = await readBody(args.bodyFile);
  let configTemplate: string | undefined;
  if (args.gatewayConfig !== undefined) {
    try {
      configTemplate = await Deno.readTextFile(args.gatewayConfig);
    } catch (err) {
      throw new Error(
        `Cannot read the gateway config "${args.gatewayConfig}": ${err instanceof Error ? err.message : err}`,
      );
    }
  }
  const report = await bench.runOverhead({
    lanes: args.lanes,
    quick: args.quick,
    shape: {
      dialect: args.dialect,
      model: args.model,
      headers: args.headers,
      ...(args.deployment !== undefined && { deployment: args.deployment }),
      ...(args.apiVersion !== undefined && { apiVersion: args.apiVersion }),
      ...(body !== undefined && { body }),
    },
    log: (line) => io.stderr(`${line}\n`),
    signal: io.signal,
    ...(args.rounds !== undefined && { rounds: args.rounds }),
    ...(configTemplate !== undefined && { configTemplate, configSource: args.gatewayConfig! }),
  });
  io.stdout(
    args.json ? JSON.stringify(bench.overheadJson(report), null, 2) + "\n" : bench.overheadText(report),
  );
  if (args.htmlFile !== undefined) {
    await Deno.writeTextFile(args.htmlFile, bench.overheadHtml(report));
    io.stderr(`HTML report written to ${args.htmlFile}\n`);
  }
  return overheadExitCode(report.targets, args.noFail);
}

/** The internal relay mode: serves until the process is signalled. */
async function runRelayMode(args: RelayArgs, io: CliIo): Promise<number> {
  await serveRelay({
    upstream: args.upstream,
    ...relayKeysFromEnv(io.env),
    signal: io.signal,
    announce: io.stdout,
  });
  return 0;
}

/** The `azmw bench` subcommand. */
export const benchCommand: Command<BenchArgs> = {
  name: "bench",
  summary: "Load-test a gateway or provider; --overhead measures the gateway against a direct call",
  help: HELP,
  parseArgs: parseBenchArgs,
  run: (args, io) =>
    args.mode === "overhead"
      ? runOverheadMode(args, io)
      : args.mode === "relay"
      ? runRelayMode(args, io)
      : runLoadMode(args, io),
};

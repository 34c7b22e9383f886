/**
 * `azmw mock`: runs the mock LLM upstream on a socket until interrupted.
 */
import { parseArgs as parseNodeArgs } from "node:util";
import { serveMock } from "../mock/mod.ts";
import { type CliIo, type Command, intOption, UsageError } from "../core/command.ts";

/** Parsed `azmw mock` arguments. */
export interface MockArgs {
  /** Print the help text and exit. */
  help: boolean;
  /** Port to listen on. */
  port: number;
  /** Interface to bind. */
  host: string;
  /** Delay before response headers, in milliseconds. */
  latencyMs?: number;
  /** Delay between stream events, in milliseconds. */
  chunkDelayMs?: number;
  /** Content chunks per answer. */
  chunks?: number;
  /** Key every request must present. */
  apiKey?: string;
}

const HELP = `azmw mock — run a mock Azure OpenAI / OpenAI / Anthropic upstream

Usage:
  azmw mock [--port N] [--host ADDR] [--latency-ms N] [--chunk-delay-ms N] [--chunks N] [--api-key KEY]

Options:
  --port N            Port to listen on (default 8788; 0 picks a free port)
  --host ADDR         Interface to bind (default 127.0.0.1)
  --latency-ms N      Delay before response headers, in milliseconds (default 0)
  --chunk-delay-ms N  Delay between streamed events, in milliseconds (default 0)
  --chunks N          Content chunks per answer (default 8); each counts 7 completion tokens
  --api-key KEY       Require this key: "api-key" or Bearer on Azure routes, Bearer on OpenAI
                      routes, "x-api-key" or Bearer on Anthropic; otherwise 401
  -h, --help          Show this help

Routes:
  POST /openai/deployments/{deployment}/{chat/completions|completions|embeddings|responses}?api-version=…
  POST /openai/responses?api-version=…
  POST /openai/v1/{chat/completions|completions|embeddings|responses}   GET /openai/v1/models
  POST /v1/{chat/completions|completions|embeddings|responses}          GET /v1/models
  POST /v1/messages   (requires the anthropic-version header)

Per-request control headers:
  x-mock-latency-ms: N          overrides --latency-ms
  x-mock-chunks: N              overrides --chunks
  x-mock-chunk-delay-ms: N      overrides --chunk-delay-ms
  x-mock-status: 429|500|503…   answer with this error status in the provider's error format
  x-mock-retry-after: S         with x-mock-status: send retry-after (and retry-after-ms on OpenAI/Azure)
  x-mock-fault: timeout         never answer until the client gives up
  x-mock-fault: reset           send the headers, then drop the connection before any body byte
  x-mock-fault: reset-mid-stream
                                send K events (x-mock-reset-after-chunks: K, default 2), then drop
  x-mock-fail-first: N          with x-mock-scenario: ID — only the first N requests of that
                                scenario fail (status 500 unless x-mock-status/x-mock-fault says otherwise)

Token usage is deterministic: prompt = ceil(characters of all prompt text / 4) + 3 per message;
completion = chunks × 7; "[cached:N]" and "[reasoning:N]" in the prompt report N cached/reasoning tokens.

Examples:
  azmw mock
  azmw mock --port 9000 --chunk-delay-ms 20 --api-key test-key
  curl -s localhost:8788/v1/chat/completions -H 'x-mock-status: 429' -H 'x-mock-retry-after: 2' \\
    -d '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}'
`;

function parse(argv: string[]): MockArgs {
  let parsed;
  try {
    parsed = parseNodeArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        "latency-ms": { type: "string" },
        "chunk-delay-ms": { type: "string" },
        chunks: { type: "string" },
        "api-key": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  const args: MockArgs = {
    help: v.help === true,
    port: intOption("port", v.port, 0, 65535) ?? 8788,
    host: v.host ?? "127.0.0.1",
  };
  if (args.host === "") throw new UsageError(`Option "--host" expects an address, got ""`);
  const latencyMs = intOption("latency-ms", v["latency-ms"], 0, 600_000);
  if (latencyMs !== undefined) args.latencyMs = latencyMs;
  const chunkDelayMs = intOption("chunk-delay-ms", v["chunk-delay-ms"], 0, 600_000);
  if (chunkDelayMs !== undefined) args.chunkDelayMs = chunkDelayMs;
  const chunks = intOption("chunks", v.chunks, 0, 10_000);
  if (chunks !== undefined) args.chunks = chunks;
  if (v["api-key"] !== undefined) {
    if (v["api-key"] === "") throw new UsageError(`Option "--api-key" expects a key, got ""`);
    args.apiKey = v["api-key"];
  }
  return args;
}

async function run(args: MockArgs, io: CliIo): Promise<number> {
  if (args.help) {
    io.stdout(HELP);
    return 0;
  }
  let mock;
  try {
    mock = serveMock({
      port: args.port,
      hostname: args.host,
      ...(args.latencyMs !== undefined && { latencyMs: args.latencyMs }),
      ...(args.chunkDelayMs !== undefined && { chunkDelayMs: args.chunkDelayMs }),
      ...(args.chunks !== undefined && { chunks: args.chunks }),
      ...(args.apiKey !== undefined && { apiKey: args.apiKey }),
    });
  } catch (e) {
    io.stderr(`Cannot listen on "${args.host}:${args.port}": ${(e as Error).message}\n`);
    return 1;
  }
  io.stdout(`azmw mock listening on ${mock.url}\n`);
  if (!io.signal.aborted) {
    await new Promise<void>((resolve) =>
      io.signal.addEventListener("abort", () => resolve(), { once: true })
    );
  }
  await mock.shutdown();
  return 0;
}

/** The `azmw mock` subcommand. */
export const mockCommand: Command<MockArgs> = {
  name: "mock",
  summary: "Run a mock Azure OpenAI / OpenAI / Anthropic upstream with fault injection",
  help: HELP,
  parseArgs: parse,
  run,
};

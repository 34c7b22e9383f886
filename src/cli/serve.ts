/**
 * `azmw serve`: runs the gateway. With `--config` (or `AZMW_CONFIG`) it serves that file; without one it
 * starts on the embedded default: a built-in mock upstream and a local key kept in the data dir.
 */
import { parseArgs as parse } from "node:util";
import { embeddedConfig, loadConfig } from "../config/load.ts";
import type { Config } from "../config/types.ts";
import { serveMock } from "../mock/mod.ts";
import { sha256Hex } from "../pipeline/auth.ts";
import { createApp } from "../server/app.ts";
import { buildAppDeps } from "../server/runtime.ts";
import { VERSION } from "../version.ts";
import { type CliIo, type Command, intOption, UsageError } from "./command.ts";

/** Parsed `serve` options. */
export interface ServeArgs {
  config: string | undefined;
  host: string | undefined;
  port: number | undefined;
  dataDir: string | undefined;
}

const HELP = `Usage: azmw serve [options]

Runs the gateway in the foreground until SIGINT/SIGTERM.

Without a config file it starts on the embedded default: 127.0.0.1:8787, a built-in mock upstream
(deployments gpt-4o-mini, gpt-4.1, text-embedding-3-small), and a local caller key that is generated
on first start, printed once and kept in <data-dir>/local_key (mode 0600).

Options:
  -c, --config FILE    Config file (YAML); default: $AZMW_CONFIG, else the embedded default
      --host HOST      Listen address (overrides server.host)
  -p, --port PORT      Listen port, 0 for any free port (overrides server.port)
      --data-dir DIR   State directory (overrides server.data_dir; embedded default ./.azmw)
  -h, --help           Show this help

Examples:
  azmw serve
  azmw serve --config config.yaml
  azmw serve -c config.yaml --port 9000
`;

/** The `serve` subcommand. */
export const serveCommand: Command<ServeArgs> = {
  name: "serve",
  summary: "Run the gateway (embedded default when no config file is given)",
  help: HELP,
  parseArgs(argv) {
    let values;
    try {
      ({ values } = parse({
        args: argv,
        options: {
          config: { type: "string", short: "c" },
          host: { type: "string" },
          port: { type: "string", short: "p" },
          "data-dir": { type: "string" },
        },
        allowPositionals: false,
        strict: true,
      }));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    return {
      config: values.config,
      host: values.host,
      port: intOption("port", values.port, 0, 65535),
      dataDir: values["data-dir"],
    };
  },
  run: runServe,
};

async function runServe(args: ServeArgs, io: CliIo): Promise<number> {
  const configPath = args.config ?? io.env("AZMW_CONFIG");
  let config: Config;
  let env = io.env;
  let cleanup = async () => {};
  let embeddedNote = "";
  if (configPath) {
    config = await loadConfig(configPath);
  } else {
    const dataDir = args.dataDir ?? "./.azmw";
    const { key, created } = await localKey(dataDir);
    const mockKey = crypto.randomUUID();
    const mock = serveMock({ apiKey: mockKey });
    cleanup = () => mock.shutdown();
    config = embeddedConfig({ mockUrl: mock.url, keySha256: sha256Hex(key), dataDir });
    env = (name) => name === "AZMW_MOCK_UPSTREAM_KEY" ? mockKey : io.env(name);
    embeddedNote = created
      ? `Embedded default: built-in mock upstream at ${mock.url}\nYour local key (shown once, kept in ${dataDir}/local_key): ${key}\n`
      : `Embedded default: built-in mock upstream at ${mock.url}\nLocal key: in ${dataDir}/local_key\n`;
  }
  if (args.host !== undefined) config.server.host = args.host;
  if (args.port !== undefined) config.server.port = args.port;
  if (args.dataDir !== undefined) config.server.dataDir = args.dataDir;

  const deps = await buildAppDeps(config, { env });
  const app = createApp({ ...deps });
  let server: Deno.HttpServer;
  const listening = Promise.withResolvers<Deno.NetAddr>();
  try {
    server = Deno.serve({
      hostname: config.server.host,
      port: config.server.port,
      onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
      onError: () =>
        new Response(
          JSON.stringify({
            error: {
              message: "Internal gateway error",
              type: "server_error",
              param: null,
              code: "internal_error",
            },
          }),
          { status: 500, headers: { "content-type": "application/json" } },
        ),
    }, app);
  } catch (err) {
    await cleanup();
    if (err instanceof Deno.errors.AddrInUse) {
      io.stderr(`azmw serve: port ${config.server.port} on ${config.server.host} is already in use\n`);
      return 1;
    }
    throw err;
  }
  const addr = await listening.promise;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const base = `http://${host}:${addr.port}`;
  io.stdout(`azmw ${VERSION} listening on ${base} (config: ${config.source})\n${embeddedNote}`);
  if (!configPath) {
    const keyArg = `$(cat ${args.dataDir ?? "./.azmw"}/local_key)`;
    io.stdout(
      `Try it:\n  curl ${base}/v1/chat/completions -H "Authorization: Bearer ${keyArg}" \\\n` +
        `    -H "content-type: application/json" -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'\n`,
    );
  }
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    io.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  io.stdout("azmw: shutting down\n");
  await server.shutdown();
  await cleanup();
  return 0;
}

/** Reads the embedded default's local key, creating it (mode 0600) on first start. */
export async function localKey(dataDir: string): Promise<{ key: string; created: boolean }> {
  const path = `${dataDir}/local_key`;
  try {
    const key = (await Deno.readTextFile(path)).trim();
    if (key) return { key, created: false };
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = `azmw_${toBase64Url(crypto.getRandomValues(new Uint8Array(32)))}`;
  await Deno.writeTextFile(path, `${key}\n`, { mode: 0o600 });
  return { key, created: true };
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * The system under test, in separate processes: the mock upstream and a gateway in front of it, with a
 * temporary config, caller key and upstream key. Both are this same program started again.
 */
import { type ChildServer, spawnServer } from "./process.ts";
import {
  BENCH_KEY_ENV,
  DEFAULT_GATEWAY_CONFIG,
  LOG_KEY_ENV,
  renderGatewayConfig,
  UPSTREAM_KEY_ENV,
} from "./gateway_config.ts";
import { currentSelf, selfArgv, type SelfInfo } from "./self_argv.ts";

/** A running mock + gateway pair. */
export interface BenchStack {
  mock: ChildServer;
  gateway: ChildServer;
  /** Key the mock requires (direct calls use it). */
  upstreamKey: string;
  /** Key the gateway accepts. */
  callerKey: string;
  /** Stops both processes and removes the temporary directory. */
  stop(): Promise<void>;
}

/** Options of `startStack`. */
export interface StackOptions {
  /** How to start this program (default: the running one). */
  self?: SelfInfo;
  /** Gateway config template (default {@linkcode DEFAULT_GATEWAY_CONFIG}). */
  configTemplate?: string;
  /**
   * Starts something else in place of `azmw serve` (a reference relay, say): gets the mock's URL and the
   * rendered config path, returns the argv. It sees the same key variables and must print "listening on".
   */
  gatewayArgv?: (mockUrl: string, configPath: string) => string[];
}

function randomKey(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function randomBase64(bytes: number): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes))));
}

/** Starts the mock, then the gateway pointed at it; cleans up everything if either fails. */
export async function startStack(options: StackOptions = {}): Promise<BenchStack> {
  const self = options.self ?? currentSelf();
  const upstreamKey = randomKey("mock_");
  const callerKey = randomKey("azmw_bench_");
  const dir = await Deno.makeTempDir({ prefix: "azmw-bench-" });
  let mock: ChildServer | undefined;
  try {
    mock = await spawnServer(selfArgv(self, ["mock", "--port", "0", "--api-key", upstreamKey]), {
      name: "mock",
    });
    const config = renderGatewayConfig(options.configTemplate ?? DEFAULT_GATEWAY_CONFIG, {
      MOCK_URL: mock.url,
      DATA_DIR: `${dir}/data`,
    });
    const configPath = `${dir}/gateway.yaml`;
    await Deno.writeTextFile(configPath, config, { mode: 0o600 });
    const argv = options.gatewayArgv?.(mock.url, configPath) ??
      selfArgv(self, ["serve", "--config", configPath, "--port", "0"]);
    const gateway = await spawnServer(argv, {
      name: "gateway",
      env: { [BENCH_KEY_ENV]: callerKey, [UPSTREAM_KEY_ENV]: upstreamKey, [LOG_KEY_ENV]: randomBase64(32) },
    });
    const started = mock;
    return {
      mock: started,
      gateway,
      upstreamKey,
      callerKey,
      async stop() {
        await Promise.all([gateway.stop(), started.stop()]);
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      },
    };
  } catch (err) {
    await mock?.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw err;
  }
}

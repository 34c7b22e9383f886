/** Test configs built directly in the validated shape (no YAML), with short timeouts. */
import { defaultLogsConfig } from "../../src/config/schema.ts";
import type { AzureUpstreamConfig, Config, UpstreamConfig } from "../../src/config/types.ts";

/** An Azure upstream at `endpoint` with the usual test deployments. */
export function azureUpstream(
  endpoint: string,
  over: Partial<AzureUpstreamConfig> = {},
): AzureUpstreamConfig {
  return {
    kind: "azure",
    name: "azure-test",
    endpoint,
    apiVersion: "2024-10-21",
    auth: { type: "api_key", key: "env:TEST_UPSTREAM_KEY" },
    deployments: [
      { name: "gpt-4o-prod", model: "gpt-4o", aliases: ["gpt-4o-latest"] },
      { name: "text-embedding-3-small", model: "text-embedding-3-small", aliases: [] },
    ],
    timeouts: { firstByteMs: 5_000, idleMs: 5_000, totalMs: 20_000 },
    ...over,
  };
}

/** A whole config with one caller key (digest given) and the upstreams given. */
export function testConfig(upstreams: UpstreamConfig[], over: Partial<Config["server"]> = {}): Config {
  return {
    server: {
      host: "127.0.0.1",
      port: 0,
      maxBodyBytes: 1024 * 1024,
      dataDir: "./.azmw-test",
      timezone: "UTC",
      instance: "test",
      shutdownGraceMs: 5_000,
      headerTimeoutMs: 30_000,
      bodyIdleTimeoutMs: 30_000,
      maxBufferedBodyBytes: 256 * 1024 * 1024,
      maxConnections: 10_000,
      ...over,
    },
    auth: { required: true, keys: [{ id: "dev", sha256: "0".repeat(64) }] },
    upstreams,
    logs: defaultLogsConfig(),
    source: "test",
  };
}

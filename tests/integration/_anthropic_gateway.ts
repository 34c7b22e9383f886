/** A gateway with an Azure upstream and an Anthropic upstream, both the real mock, for contract tests. */
import type { AnthropicUpstreamConfig, Config } from "../../src/config/types.ts";
import { startGateway } from "../_helpers/gateway.ts";

/** The Anthropic upstream the contract tests add next to the Azure one. */
export function anthropicUpstream(
  endpoint: string,
  over: Partial<AnthropicUpstreamConfig> = {},
): AnthropicUpstreamConfig {
  return {
    kind: "anthropic",
    name: "claude",
    endpoint,
    auth: { type: "api_key", key: "env:TEST_UPSTREAM_KEY" },
    anthropicVersion: "2023-06-01",
    defaultMaxTokens: 1024,
    headers: {},
    deployments: [
      { name: "claude-sonnet-4-5", model: "claude-sonnet", aliases: [] },
      { name: "claude-haiku-4-5", model: "claude-haiku-4-5", aliases: [] },
    ],
    timeouts: { firstByteMs: 5_000, idleMs: 5_000, totalMs: 20_000 },
    ...over,
  };
}

/** Mock + gateway serving `gpt-4o` (Azure) and `claude-sonnet` (Anthropic). */
export function startMixedGateway(configure?: (c: Config, mockUrl: string) => void) {
  return startGateway({
    configure(c, url) {
      c.upstreams.push(anthropicUpstream(url));
      // Retries without waiting: these tests check translation, not backoff.
      c.routing = {
        retries: 2,
        backoffMs: 0,
        maxBackoffMs: 5000,
        breaker: { failures: 5, cooldownMs: 30_000 },
      };
      configure?.(c, url);
    },
  });
}

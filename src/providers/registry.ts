/**
 * The provider of each upstream kind: the only place that knows which kinds exist.
 */
import type { UpstreamConfig } from "../config/types.ts";
import { anthropicProvider } from "./anthropic/provider.ts";
import { azureProvider } from "./azure/provider.ts";
import { withMessages } from "./messages_over_chat.ts";
import { openaiProvider } from "./openai/provider.ts";
import type { Provider } from "./types.ts";

type Providers = { [K in UpstreamConfig["kind"]]: Provider<Extract<UpstreamConfig, { kind: K }>> };

const PROVIDERS: Providers = {
  azure: withMessages(azureProvider, { maxTokensField: "max_completion_tokens" }),
  openai: withMessages(openaiProvider, { maxTokensField: "max_tokens" }),
  anthropic: anthropicProvider,
};

/** The provider that serves `upstream`. */
export function providerOf(upstream: UpstreamConfig): Provider {
  return PROVIDERS[upstream.kind] as Provider;
}

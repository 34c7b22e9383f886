/**
 * The Anthropic provider: `POST {base_url}/v1/messages` with `x-api-key` and `anthropic-version`.
 * Anthropic clients pass through byte for byte (the target's model id is the only possible change);
 * chat completions clients are translated both ways.
 */
import type { AnthropicUpstreamConfig } from "../../config/types.ts";
import { headerAuth, setExtraHeaders } from "../auth.ts";
import type { Provider } from "../types.ts";
import { chatToMessages } from "./request.ts";
import { chatFromMessages } from "./translators.ts";

/** Anthropic upstreams: Messages natively, chat completions translated. */
export const anthropicProvider: Provider<AnthropicUpstreamConfig> = {
  operations: new Set(["messages", "chat"]),
  plan(input) {
    const { upstream, body, headers } = input;
    const url = `${upstream.endpoint}/v1/messages`;
    setExtraHeaders(headers, upstream.headers);
    const model = input.deployment.name;
    if (input.route.operation === "messages") {
      // The client's version decides the wire format it expects, so it wins over the configured one.
      if (!headers.has("anthropic-version")) headers.set("anthropic-version", upstream.anthropicVersion);
      const rewrite = body.model !== model;
      if (rewrite) body.model = model;
      return {
        url,
        body: rewrite ? JSON.stringify(body) : input.bytes,
        injectedUsage: false,
        upstreamOperation: "messages",
        translator: null,
      };
    }
    headers.set("anthropic-version", upstream.anthropicVersion);
    const request = chatToMessages(body, { model, defaultMaxTokens: upstream.defaultMaxTokens });
    const so = body.stream_options;
    return {
      url,
      body: JSON.stringify(request),
      injectedUsage: false,
      upstreamOperation: "messages",
      translator: chatFromMessages({
        created: Math.floor(input.now / 1000),
        includeUsage: typeof so === "object" && so !== null &&
          (so as Record<string, unknown>).include_usage === true,
      }),
    };
  },
  async createAuth(upstream, deps) {
    return headerAuth("x-api-key", await deps.secret(upstream.auth.key, `${deps.path}.key`));
  },
};

/**
 * The Azure OpenAI provider: requests planned by `request.ts`, answers passed through unchanged, auth
 * with a resource key or Entra ID tokens (cached, refreshed ahead of expiry, warmed at start).
 */
import type { AzureUpstreamConfig } from "../../config/types.ts";
import type { Provider } from "../types.ts";
import { apiKeyAuth, createCredential, entraAuth } from "./auth.ts";
import { planAzureRequest } from "./request.ts";
import { TokenCache } from "./token_cache.ts";

/** Azure OpenAI: chat, completions, embeddings and responses, natively. */
export const azureProvider: Provider<AzureUpstreamConfig> = {
  operations: new Set(["chat", "completions", "embeddings", "responses"]),
  plan(input) {
    const { body } = input;
    const p = planAzureRequest(input.route, input, {
      body,
      search: input.search,
      apiVersion: input.apiVersion,
    });
    return {
      url: p.url,
      body: p.rewrite ? JSON.stringify(body) : input.bytes,
      injectedUsage: p.injectedUsage,
      upstreamOperation: input.route.operation,
      translator: null,
    };
  },
  async createAuth(upstream, deps) {
    const auth = upstream.auth;
    if (auth.type === "api_key") return apiKeyAuth(await deps.secret(auth.key, `${deps.path}.key`));
    const secret = auth.clientSecret === undefined
      ? undefined
      : await deps.secret(auth.clientSecret, `${deps.path}.client_secret`);
    const credential = await (deps.credentialFactory ?? createCredential)(auth, secret);
    const cache = new TokenCache(credential, auth.scope, deps.now ? { now: deps.now } : {});
    // Warm the token so the first call does not wait; a failure shows in /health and is retried per call.
    Promise.resolve(cache.get()).catch(() => {});
    return entraAuth(cache);
  },
};

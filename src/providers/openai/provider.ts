/**
 * The OpenAI provider, for api.openai.com and any OpenAI-compatible server (Ollama, vLLM, LM Studio,
 * OpenRouter): bearer auth or none, configured extra headers, answers passed through unchanged.
 */
import type { OpenAIUpstreamConfig } from "../../config/types.ts";
import { headerAuth, NO_AUTH, setExtraHeaders } from "../auth.ts";
import type { Provider } from "../types.ts";
import { planOpenAIRequest } from "./request.ts";

/** OpenAI-compatible upstreams: chat, completions, embeddings and responses, natively. */
export const openaiProvider: Provider<OpenAIUpstreamConfig> = {
  operations: new Set(["chat", "completions", "embeddings", "responses"]),
  plan(input) {
    setExtraHeaders(input.headers, input.upstream.headers);
    return planOpenAIRequest(input);
  },
  async createAuth(upstream, deps) {
    const auth = upstream.auth;
    if (auth.type === "none") return NO_AUTH;
    return headerAuth("authorization", `Bearer ${await deps.secret(auth.key, `${deps.path}.key`)}`);
  },
};

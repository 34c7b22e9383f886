/**
 * Serves Anthropic Messages clients from a chat completions provider: the request is translated to chat
 * completions, planned by the wrapped provider as an OpenAI-style chat call, and the answer translated
 * back. Composition instead of a branch: any chat-speaking provider gains `/v1/messages` this way.
 */
import type { UpstreamConfig } from "../config/types.ts";
import { messagesToChat, type MessagesToChatOptions } from "./anthropic/from_messages.ts";
import { messagesFromChat } from "./anthropic/translators.ts";
import type { Provider } from "./types.ts";

/** `inner` plus the `messages` operation, translated over its chat completions. */
export function withMessages<U extends UpstreamConfig>(
  inner: Provider<U>,
  opts: MessagesToChatOptions,
): Provider<U> {
  return {
    operations: new Set([...inner.operations, "messages"]),
    createAuth: inner.createAuth,
    plan(input) {
      if (input.route.operation !== "messages") return inner.plan(input);
      const chat = messagesToChat(input.body, opts);
      for (const name of ["anthropic-version", "anthropic-beta"]) input.headers.delete(name);
      const route = { ...input.route, operation: "chat" as const, style: "openai" as const };
      const plan = inner.plan({ ...input, route, body: chat });
      return {
        url: plan.url,
        body: JSON.stringify(chat),
        injectedUsage: false,
        upstreamOperation: "chat",
        translator: messagesFromChat({ model: String(input.body.model ?? "") }),
      };
    },
  };
}

/**
 * Anthropic message → chat completion, as a pure function: text blocks become the content, `tool_use`
 * blocks become tool calls, the stop reason a finish reason, and usage the OpenAI convention.
 */
import { isObject } from "../../streams/_read.ts";
import type { JsonObject } from "../types.ts";
import { finishReasonOf } from "./finish.ts";
import { chatUsageOf, readAnthropicUsage } from "./usage.ts";

/** Builds the chat completion for an Anthropic message; `created` is in seconds. */
export function messageToChat(msg: JsonObject, created: number): JsonObject {
  let text: string | null = null;
  const toolCalls: JsonObject[] = [];
  for (const b of Array.isArray(msg.content) ? msg.content : []) {
    if (!isObject(b)) continue;
    if (b.type === "text" && typeof b.text === "string") text = (text ?? "") + b.text;
    else if (b.type === "tool_use") {
      toolCalls.push({
        id: b.id,
        type: "function",
        function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) },
      });
    }
  }
  const message: JsonObject = { role: "assistant", content: text, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const counts = readAnthropicUsage(msg.usage, { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 });
  return {
    id: msg.id,
    object: "chat.completion",
    created,
    model: msg.model,
    choices: [{
      index: 0,
      message,
      logprobs: null,
      finish_reason: finishReasonOf(msg.stop_reason) ?? "stop",
    }],
    usage: chatUsageOf(counts),
  };
}

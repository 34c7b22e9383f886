/**
 * Chat completion → Anthropic message, as a pure function, for Anthropic clients served by an OpenAI or
 * Azure upstream: content becomes a text block, tool calls `tool_use` blocks, the finish reason a stop
 * reason, usage the Anthropic convention (cache reads outside `input_tokens`).
 */
import { isObject } from "../../streams/_read.ts";
import type { JsonObject } from "../types.ts";
import { stopReasonOf } from "./finish.ts";
import { anthropicUsageOf } from "./usage.ts";

/** Parses tool call arguments; text that is not a JSON object is kept under `_raw`. */
export function toolArguments(args: unknown): JsonObject {
  if (typeof args !== "string" || args.trim() === "") return {};
  try {
    const v = JSON.parse(args);
    return isObject(v) ? v : { _raw: args };
  } catch {
    return { _raw: args };
  }
}

/** Builds the Anthropic message for a chat completion. */
export function chatToMessage(chat: JsonObject): JsonObject {
  const choice = Array.isArray(chat.choices) && isObject(chat.choices[0]) ? chat.choices[0] : {};
  const msg = isObject(choice.message) ? choice.message : {};
  const content: JsonObject[] = [];
  if (typeof msg.content === "string" && msg.content !== "") {
    content.push({ type: "text", text: msg.content });
  }
  if (typeof msg.refusal === "string" && msg.refusal !== "") {
    content.push({ type: "text", text: msg.refusal });
  }
  for (const tc of Array.isArray(msg.tool_calls) ? msg.tool_calls : []) {
    if (!isObject(tc) || !isObject(tc.function)) continue;
    content.push({
      type: "tool_use",
      id: tc.id,
      name: tc.function.name,
      input: toolArguments(tc.function.arguments),
    });
  }
  return {
    id: typeof chat.id === "string" ? chat.id : "",
    type: "message",
    role: "assistant",
    model: chat.model,
    content,
    stop_reason: stopReasonOf(choice.finish_reason) ?? "end_turn",
    stop_sequence: null,
    usage: anthropicUsageOf(chat.usage),
  };
}

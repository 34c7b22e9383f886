/**
 * Anthropic Messages stream → chat completion chunks, as a pure `(event, state) → events` function.
 * `message_start` opens the assistant turn, text and `input_json_delta` deltas become content and tool
 * call deltas, `message_delta` the finish reason; `message_stop` adds the usage chunk (when the client
 * asked for `include_usage`) and `[DONE]`. An `error` event becomes an OpenAI-shaped error payload.
 */
import { isObject, num } from "../../streams/_read.ts";
import type { JsonObject } from "../types.ts";
import { openaiErrorBody } from "./errors.ts";
import { finishReasonOf } from "./finish.ts";
import { type AnthropicCounts, chatUsageOf, readAnthropicUsage } from "./usage.ts";

/** What the translation remembers between events. */
export interface ChatStreamState {
  id: string;
  model: string;
  /** Seconds, as in every chunk's `created`. */
  created: number;
  includeUsage: boolean;
  /** OpenAI tool call index by Anthropic content block index. */
  tools: Map<number, number>;
  usage: AnthropicCounts;
  done: boolean;
}

/** One output event: a chunk (or error) object, or the closing `[DONE]`. */
export type ChatOut = JsonObject | "[DONE]";

/** Fresh state for one stream. */
export function newChatStreamState(opts: { created: number; includeUsage: boolean }): ChatStreamState {
  return {
    id: "",
    model: "",
    created: opts.created,
    includeUsage: opts.includeUsage,
    tools: new Map(),
    usage: { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 },
    done: false,
  };
}

function chunk(s: ChatStreamState, delta: JsonObject, finish: string | null = null): JsonObject {
  return {
    id: s.id,
    object: "chat.completion.chunk",
    created: s.created,
    model: s.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  };
}

/** Translates one Anthropic event (its parsed `data`) into zero or more chat stream events. */
export function messagesEventToChat(ev: JsonObject, s: ChatStreamState): ChatOut[] {
  if (s.done) return [];
  switch (ev.type) {
    case "message_start": {
      const m = isObject(ev.message) ? ev.message : {};
      s.id = typeof m.id === "string" ? m.id : "";
      s.model = typeof m.model === "string" ? m.model : "";
      readAnthropicUsage(m.usage, s.usage);
      return [chunk(s, { role: "assistant", content: "" })];
    }
    case "content_block_start": {
      const b = isObject(ev.content_block) ? ev.content_block : {};
      if (b.type === "text" && typeof b.text === "string" && b.text !== "") {
        return [chunk(s, { content: b.text })];
      }
      if (b.type !== "tool_use") return [];
      const index = s.tools.size;
      s.tools.set(num(ev.index), index);
      return [chunk(s, {
        tool_calls: [{ index, id: b.id, type: "function", function: { name: b.name, arguments: "" } }],
      })];
    }
    case "content_block_delta": {
      const d = isObject(ev.delta) ? ev.delta : {};
      if (d.type === "text_delta" && typeof d.text === "string") return [chunk(s, { content: d.text })];
      if (d.type !== "input_json_delta" || typeof d.partial_json !== "string") return [];
      const index = s.tools.get(num(ev.index));
      if (index === undefined) return [];
      return [chunk(s, { tool_calls: [{ index, function: { arguments: d.partial_json } }] })];
    }
    case "message_delta": {
      readAnthropicUsage(ev.usage, s.usage);
      const d = isObject(ev.delta) ? ev.delta : {};
      const finish = finishReasonOf(d.stop_reason);
      return finish === null ? [] : [chunk(s, {}, finish)];
    }
    case "message_stop": {
      s.done = true;
      if (!s.includeUsage) return ["[DONE]"];
      const last = { ...chunk(s, {}), choices: [], usage: chatUsageOf(s.usage) };
      return [last, "[DONE]"];
    }
    case "error": {
      s.done = true;
      const e = isObject(ev.error) ? ev.error : {};
      return [openaiErrorBody(String(e.type ?? "api_error"), String(e.message ?? ""))];
    }
    default: // ping, content_block_stop, thinking and future events carry nothing for chat clients
      return [];
  }
}

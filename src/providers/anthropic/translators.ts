/**
 * The two translators between Anthropic Messages and chat completions, assembled from the pure
 * transforms: one for chat clients served by an Anthropic upstream, one for Anthropic clients served by
 * an OpenAI or Azure upstream. Stream events are parsed once and serialised once.
 */
import type { SseEvent } from "../../streams/sse.ts";
import { isObject } from "../../streams/_read.ts";
import type { JsonObject, StreamTranslator, Translator } from "../types.ts";
import { anthropicErrorToOpenAI, openaiErrorToAnthropic } from "./errors.ts";
import { messageToChat } from "./response.ts";
import { type ChatOut, messagesEventToChat, newChatStreamState } from "./stream.ts";
import { chatToMessage } from "./to_message.ts";
import { chatEventToMessages, type MessageOut, newMessageStreamState } from "./to_message_stream.ts";

function parse(data: string): JsonObject | "[DONE]" | undefined {
  if (data === "[DONE]") return "[DONE]";
  if (data.charCodeAt(0) !== 123 /* "{" */) return undefined;
  try {
    const v = JSON.parse(data);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function chatSse(events: ChatOut[]): string {
  let text = "";
  for (const e of events) text += e === "[DONE]" ? "data: [DONE]\n\n" : `data: ${JSON.stringify(e)}\n\n`;
  return text;
}

function messageSse(events: MessageOut[]): string {
  let text = "";
  for (const e of events) text += `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
  return text;
}

/** Answers of an Anthropic upstream for a chat completions client. */
export function chatFromMessages(opts: { created: number; includeUsage: boolean }): Translator {
  return {
    response: (body) => messageToChat(body, opts.created),
    error: anthropicErrorToOpenAI,
    stream(): StreamTranslator {
      const state = newChatStreamState(opts);
      return {
        push(ev: SseEvent) {
          const d = parse(ev.data);
          return d === undefined || d === "[DONE]" ? "" : chatSse(messagesEventToChat(d, state));
        },
        end: () => "",
      };
    },
  };
}

/** Answers of an OpenAI or Azure upstream for an Anthropic Messages client. */
export function messagesFromChat(opts: { model: string }): Translator {
  return {
    response: chatToMessage,
    error: openaiErrorToAnthropic,
    stream(): StreamTranslator {
      const state = newMessageStreamState(opts.model);
      return {
        push(ev: SseEvent) {
          const d = parse(ev.data);
          return d === undefined ? "" : messageSse(chatEventToMessages(d, state));
        },
        // Some OpenAI-compatible servers end the stream without `[DONE]`.
        end: () => state.started ? messageSse(chatEventToMessages("[DONE]", state)) : "",
      };
    },
  };
}

/**
 * Anthropic Messages API (`POST /v1/messages`): a `message` object, or its event stream
 * (`message_start` … `message_stop`), with text or a `tool_use` block.
 */
import { mockId, replyPiece, replyText, splitPieces, toolCallFor } from "./content.ts";
import { bodyResponse, sseResponse } from "./sse.ts";
import { type MockTokenCounts, mockTokenCounts } from "./tokens.ts";
import type { ReplyContext } from "./types.ts";
import { errorResponse } from "./wire.ts";

/** Anthropic's `usage`: `input_tokens` excludes the cache reads reported beside it. */
export function anthropicUsage(c: MockTokenCounts, outputTokens = c.completion): Record<string, number> {
  return {
    input_tokens: c.prompt - c.cached,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: c.cached,
    output_tokens: outputTokens,
  };
}

function event(type: string, data: string): string {
  return `event: ${type}\ndata: ${data}\n\n`;
}

// The service sends this one event with a space after the colon.
const PING = event("ping", `{"type": "ping"}`);
const BLOCK_STOP = event("content_block_stop", `{"type":"content_block_stop","index":0}`);
const MESSAGE_STOP = event("message_stop", `{"type":"message_stop"}`);
const TEXT_START = event(
  "content_block_start",
  `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
);
const deltaCache: string[] = [];

function textDelta(i: number): string {
  const build = () =>
    event(
      "content_block_delta",
      `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${
        JSON.stringify(replyPiece(i))
      }}}`,
    );
  return i < 1024 ? (deltaCache[i] ??= build()) : build();
}

/** Answers a Messages API request, streamed or not. */
export function messagesReply(ctx: ReplyContext): Response {
  const { body, chunks, headers } = ctx;
  if (!Array.isArray(body.messages)) {
    return errorResponse("anthropic", 400, { headers: headers, message: "messages: Field required" });
  }
  if (typeof body.max_tokens !== "number") {
    return errorResponse("anthropic", 400, { headers: headers, message: "max_tokens: Field required" });
  }
  const counts = mockTokenCounts(body, { chunks });
  const tool = toolCallFor(body);
  const id = mockId("msg_01");
  const stopReason = tool ? "tool_use" : "end_turn";
  const toolId = mockId("toolu_01");
  if (body.stream !== true) {
    const content = tool
      ? [{ type: "tool_use", id: toolId, name: tool.name, input: tool.input }]
      : [{ type: "text", text: replyText(chunks) }];
    const message = {
      id,
      type: "message",
      role: "assistant",
      model: ctx.model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: anthropicUsage(counts),
    };
    return bodyResponse(JSON.stringify(message), headers, ctx);
  }
  const start = {
    type: "message_start",
    message: {
      id,
      type: "message",
      role: "assistant",
      model: ctx.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: anthropicUsage(counts, 1),
    },
  };
  const events = [event("message_start", JSON.stringify(start))];
  if (tool) {
    const block = { type: "tool_use", id: toolId, name: tool.name, input: {} };
    events.push(
      event(
        "content_block_start",
        `{"type":"content_block_start","index":0,"content_block":${JSON.stringify(block)}}`,
      ),
      PING,
    );
    for (const piece of splitPieces(tool.arguments, chunks)) {
      const delta = JSON.stringify({ type: "input_json_delta", partial_json: piece });
      events.push(event("content_block_delta", `{"type":"content_block_delta","index":0,"delta":${delta}}`));
    }
  } else {
    events.push(TEXT_START, PING);
    for (let i = 1; i <= chunks; i++) events.push(textDelta(i));
  }
  events.push(
    BLOCK_STOP,
    event(
      "message_delta",
      `{"type":"message_delta","delta":{"stop_reason":"${stopReason}","stop_sequence":null},` +
        `"usage":{"output_tokens":${counts.completion}}}`,
    ),
    MESSAGE_STOP,
  );
  return sseResponse(events, headers, ctx);
}

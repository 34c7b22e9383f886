/**
 * The Responses API (`/v1/responses`, `/openai/responses`): a `response` object, or its stream of
 * typed events with sequence numbers.
 */
import { mockId, replyPiece, replyText, splitPieces, toolCallFor } from "./content.ts";
import { bodyResponse, sseResponse } from "./sse.ts";
import { type MockTokenCounts, mockTokenCounts } from "./tokens.ts";
import type { ReplyContext } from "./types.ts";

/** The Responses API `usage` object. */
export function responsesUsage(c: MockTokenCounts): Record<string, unknown> {
  return {
    input_tokens: c.prompt,
    input_tokens_details: { cached_tokens: c.cached },
    output_tokens: c.completion,
    output_tokens_details: { reasoning_tokens: c.reasoning },
    total_tokens: c.prompt + c.completion,
  };
}

function responseObject(
  ctx: ReplyContext,
  head: { id: string; createdAt: number },
  output: unknown[],
  usage: Record<string, unknown> | null,
): Record<string, unknown> {
  const b = ctx.body;
  return {
    id: head.id,
    object: "response",
    created_at: head.createdAt,
    status: usage === null ? "in_progress" : "completed",
    background: false,
    error: null,
    incomplete_details: null,
    instructions: b.instructions ?? null,
    max_output_tokens: b.max_output_tokens ?? null,
    model: ctx.model,
    output,
    parallel_tool_calls: b.parallel_tool_calls ?? true,
    previous_response_id: b.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    store: b.store ?? true,
    temperature: b.temperature ?? 1,
    text: { format: { type: "text" } },
    tool_choice: b.tool_choice ?? "auto",
    tools: b.tools ?? [],
    top_p: b.top_p ?? 1,
    truncation: "disabled",
    usage,
    user: null,
    metadata: b.metadata ?? {},
  };
}

function outputText(text: string): Record<string, unknown> {
  return { type: "output_text", annotations: [], logprobs: [], text };
}

/** Answers a Responses API request, streamed or not, with text or a function call. */
export function responsesReply(ctx: ReplyContext): Response {
  const { body, chunks } = ctx;
  const counts = mockTokenCounts(body, { chunks });
  const tool = toolCallFor(body);
  const head = { id: mockId("resp_"), createdAt: Math.floor(Date.now() / 1000) };
  const itemId = mockId(tool ? "fc_" : "msg_");
  const callId = mockId("call_");
  const text = tool ? "" : replyText(chunks);
  const item = (done: boolean): Record<string, unknown> =>
    tool
      ? {
        id: itemId,
        type: "function_call",
        status: done ? "completed" : "in_progress",
        arguments: done ? tool.arguments : "",
        call_id: callId,
        name: tool.name,
      }
      : {
        id: itemId,
        type: "message",
        status: done ? "completed" : "in_progress",
        content: done ? [outputText(text)] : [],
        role: "assistant",
      };
  const usage = responsesUsage(counts);
  if (body.stream !== true) {
    return bodyResponse(JSON.stringify(responseObject(ctx, head, [item(true)], usage)), ctx.headers, ctx);
  }
  const events: string[] = [];
  let seq = 0;
  const emit = (type: string, rest: string) => {
    events.push(`event: ${type}\ndata: {"type":"${type}","sequence_number":${seq++}${rest}}\n\n`);
  };
  const pending = JSON.stringify(responseObject(ctx, head, [], null));
  emit("response.created", `,"response":${pending}`);
  emit("response.in_progress", `,"response":${pending}`);
  emit("response.output_item.added", `,"output_index":0,"item":${JSON.stringify(item(false))}`);
  const at = `,"item_id":"${itemId}","output_index":0`;
  if (tool) {
    for (const piece of splitPieces(tool.arguments, chunks)) {
      emit("response.function_call_arguments.delta", `${at},"delta":${JSON.stringify(piece)}`);
    }
    emit("response.function_call_arguments.done", `${at},"arguments":${JSON.stringify(tool.arguments)}`);
  } else {
    const part = `${at},"content_index":0`;
    emit("response.content_part.added", `${part},"part":${JSON.stringify(outputText(""))}`);
    for (let i = 1; i <= chunks; i++) {
      emit("response.output_text.delta", `${part},"delta":${JSON.stringify(replyPiece(i))},"logprobs":[]`);
    }
    emit("response.output_text.done", `${part},"text":${JSON.stringify(text)},"logprobs":[]`);
    emit("response.content_part.done", `${part},"part":${JSON.stringify(outputText(text))}`);
  }
  const finished = item(true);
  emit("response.output_item.done", `,"output_index":0,"item":${JSON.stringify(finished)}`);
  emit("response.completed", `,"response":${JSON.stringify(responseObject(ctx, head, [finished], usage))}`);
  return sseResponse(events, ctx.headers, ctx);
}

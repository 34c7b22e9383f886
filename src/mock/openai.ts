/**
 * Chat completions, legacy completions and the model list, in OpenAI's wire format with Azure's
 * additions on Azure routes.
 */
import {
  CONTENT_FILTER_JSON,
  CONTENT_FILTER_RESULTS,
  PROMPT_FILTER_RESULTS,
  promptFilterEvent,
} from "./azure.ts";
import { mockId, replyPiece, replyText, splitPieces, toolCallFor } from "./content.ts";
import { bodyResponse, sseResponse } from "./sse.ts";
import { type MockTokenCounts, mockTokenCounts } from "./tokens.ts";
import type { Flavor, ReplyContext } from "./types.ts";

const FINGERPRINT = "fp_mock";
const DONE = "data: [DONE]\n\n";

/** OpenAI's `usage` object for chat and completions. */
export function openaiUsage(c: MockTokenCounts): Record<string, unknown> {
  return {
    prompt_tokens: c.prompt,
    completion_tokens: c.completion,
    total_tokens: c.prompt + c.completion,
    prompt_tokens_details: { cached_tokens: c.cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: c.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function streamFlags(body: Record<string, unknown>): { stream: boolean; includeUsage: boolean } {
  const opts = body.stream_options as Record<string, unknown> | null | undefined;
  return { stream: body.stream === true, includeUsage: opts?.include_usage === true };
}

function created(): number {
  return Math.floor(Date.now() / 1000);
}

// Choice fragments are the same for every request; build each once per flavor and chunk index.
const fragmentCache = new Map<string, string>();
function fragment(key: string, build: () => string): string {
  let f = fragmentCache.get(key);
  if (f === undefined) {
    f = build();
    if (fragmentCache.size < 8192) fragmentCache.set(key, f);
  }
  return f;
}

function azureTail(flavor: Flavor, filtered: boolean): string {
  if (flavor !== "azure") return "}";
  return filtered ? `,"content_filter_results":${CONTENT_FILTER_JSON}}` : `,"content_filter_results":{}}`;
}

function chunkHead(id: string, object: string, model: string): string {
  return `data: {"id":"${id}","object":"${object}","created":${created()},"model":${JSON.stringify(model)},` +
    `"system_fingerprint":"${FINGERPRINT}","choices":[`;
}

/** Frames choice fragments as chunks, adds Azure's first chunk, the usage chunk and `[DONE]`. */
function frame(ctx: ReplyContext, head: string, choices: string[], usage: MockTokenCounts): string[] {
  const { includeUsage } = streamFlags(ctx.body);
  const tail = includeUsage ? `],"usage":null}\n\n` : `]}\n\n`;
  const events: string[] = [];
  if (ctx.flavor === "azure") events.push(promptFilterEvent(includeUsage));
  for (const choice of choices) events.push(head + choice + tail);
  if (includeUsage) events.push(`${head}],"usage":${JSON.stringify(openaiUsage(usage))}}\n\n`);
  events.push(DONE);
  return events;
}

/** Answers a chat completion request, streamed or not, with text or a tool call. */
export function chatReply(ctx: ReplyContext): Response {
  const { flavor, body, chunks } = ctx;
  const usage = mockTokenCounts(body, { chunks });
  const tool = toolCallFor(body);
  const id = mockId("chatcmpl-");
  if (!streamFlags(body).stream) {
    const message = tool
      ? {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: mockId("call_"),
          type: "function",
          function: { name: tool.name, arguments: tool.arguments },
        }],
        refusal: null,
        annotations: [],
      }
      : { role: "assistant", content: replyText(chunks), refusal: null, annotations: [] };
    const choice: Record<string, unknown> = {
      index: 0,
      message,
      logprobs: null,
      finish_reason: tool ? "tool_calls" : "stop",
    };
    if (flavor === "azure") choice.content_filter_results = CONTENT_FILTER_RESULTS;
    const answer: Record<string, unknown> = {
      id,
      object: "chat.completion",
      created: created(),
      model: ctx.model,
    };
    if (flavor === "azure") answer.prompt_filter_results = PROMPT_FILTER_RESULTS;
    answer.choices = [choice];
    answer.usage = openaiUsage(usage);
    if (flavor === "openai") answer.service_tier = "default";
    answer.system_fingerprint = FINGERPRINT;
    return bodyResponse(JSON.stringify(answer), ctx.headers, ctx);
  }
  const choices: string[] = [];
  if (tool) {
    const call = {
      index: 0,
      id: mockId("call_"),
      type: "function",
      function: { name: tool.name, arguments: "" },
    };
    choices.push(
      `{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[${JSON.stringify(call)}],` +
        `"refusal":null},"logprobs":null,"finish_reason":null${azureTail(flavor, false)}`,
    );
    for (const piece of splitPieces(tool.arguments, chunks)) {
      const delta = JSON.stringify({ tool_calls: [{ index: 0, function: { arguments: piece } }] });
      choices.push(
        `{"index":0,"delta":${delta},"logprobs":null,"finish_reason":null${azureTail(flavor, true)}`,
      );
    }
  } else {
    choices.push(fragment(
      `${flavor}:role`,
      () =>
        `{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,` +
        `"finish_reason":null${azureTail(flavor, false)}`,
    ));
    for (let i = 1; i <= chunks; i++) {
      choices.push(fragment(
        `${flavor}:chat:${i}`,
        () =>
          `{"index":0,"delta":{"content":${JSON.stringify(replyPiece(i))}},"logprobs":null,` +
          `"finish_reason":null${azureTail(flavor, true)}`,
      ));
    }
  }
  const reason = tool ? "tool_calls" : "stop";
  choices.push(fragment(
    `${flavor}:finish:${reason}`,
    () => `{"index":0,"delta":{},"logprobs":null,"finish_reason":"${reason}"${azureTail(flavor, false)}`,
  ));
  return sseResponse(
    frame(ctx, chunkHead(id, "chat.completion.chunk", ctx.model), choices, usage),
    ctx.headers,
    ctx,
  );
}

/** Answers a legacy completions request, streamed or not. */
export function completionReply(ctx: ReplyContext): Response {
  const { flavor, body, chunks } = ctx;
  const usage = mockTokenCounts(body, { chunks });
  const id = mockId("cmpl-");
  if (!streamFlags(body).stream) {
    const choice: Record<string, unknown> = {
      text: replyText(chunks),
      index: 0,
      logprobs: null,
      finish_reason: "stop",
    };
    if (flavor === "azure") choice.content_filter_results = CONTENT_FILTER_RESULTS;
    const answer: Record<string, unknown> = {
      id,
      object: "text_completion",
      created: created(),
      model: ctx.model,
    };
    if (flavor === "azure") answer.prompt_filter_results = PROMPT_FILTER_RESULTS;
    answer.choices = [choice];
    answer.usage = openaiUsage(usage);
    answer.system_fingerprint = FINGERPRINT;
    return bodyResponse(JSON.stringify(answer), ctx.headers, ctx);
  }
  const choices: string[] = [];
  for (let i = 1; i <= chunks; i++) {
    choices.push(fragment(
      `${flavor}:text:${i}`,
      () =>
        `{"text":${JSON.stringify(replyPiece(i))},"index":0,"logprobs":null,"finish_reason":null` +
        azureTail(flavor, true),
    ));
  }
  choices.push(`{"text":"","index":0,"logprobs":null,"finish_reason":"stop"${azureTail(flavor, false)}`);
  return sseResponse(
    frame(ctx, chunkHead(id, "text_completion", ctx.model), choices, usage),
    ctx.headers,
    ctx,
  );
}

/** Static body of `GET /v1/models`. */
export const OPENAI_MODELS_BODY = JSON.stringify({
  object: "list",
  data: ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "o4-mini", "text-embedding-3-small", "text-embedding-3-large"]
    .map(
      (id) => ({ id, object: "model", created: 1715367049, owned_by: "system" }),
    ),
});

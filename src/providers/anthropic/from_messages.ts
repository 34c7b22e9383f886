/**
 * Anthropic Messages request → chat completions request, as a pure function, for Anthropic clients
 * whose model is served by an OpenAI or Azure upstream: `system` becomes a system message, `tool_result`
 * blocks become tool messages (placed right after the assistant turn that called them), `tool_use`
 * blocks become tool calls, images become data or http URLs. `cache_control` has no chat equivalent
 * and is dropped; thinking blocks are dropped too.
 */
import { GatewayError } from "../../core/errors.ts";
import { isObject } from "../../streams/_read.ts";
import type { JsonObject } from "../types.ts";

/** Options of {@link messagesToChat}. */
export interface MessagesToChatOptions {
  /** Which chat field carries the token limit (`max_completion_tokens` on Azure and o-series). */
  maxTokensField: "max_tokens" | "max_completion_tokens";
}

function bad(message: string, param: string): GatewayError {
  return new GatewayError(400, "invalid_request_error", message, { param });
}

/** Builds the chat completions request for an Anthropic Messages body (the body is not changed). */
export function messagesToChat(body: JsonObject, opts: MessagesToChatOptions): JsonObject {
  if (!Array.isArray(body.messages)) throw bad("messages: Field required", "messages");
  const messages: JsonObject[] = [];
  const system = textOf(body.system, "system");
  if (system !== "") messages.push({ role: "system", content: system });
  body.messages.forEach((m: unknown, i: number) => {
    if (!isObject(m) || (m.role !== "user" && m.role !== "assistant")) {
      throw bad(`messages.${i}.role: Input should be 'user' or 'assistant'`, "messages");
    }
    if (m.role === "assistant") messages.push(assistant(m.content, i));
    else messages.push(...user(m.content, i));
  });
  const out: JsonObject = { model: body.model, messages };
  if (typeof body.max_tokens === "number") out[opts.maxTokensField] = body.max_tokens;
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) out.stop = body.stop_sequences;
  if (typeof body.temperature === "number") out.temperature = body.temperature;
  if (typeof body.top_p === "number") out.top_p = body.top_p;
  if (body.stream === true) out.stream = true;
  const meta = body.metadata;
  if (isObject(meta) && typeof meta.user_id === "string") out.user = meta.user_id;
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    out.tools = body.tools.map((t: unknown, i: number) => {
      if (!isObject(t) || typeof t.name !== "string") {
        throw bad(`tools.${i}: a custom tool is expected`, "tools");
      }
      const fn: JsonObject = {
        name: t.name,
        parameters: t.input_schema ?? { type: "object", properties: {} },
      };
      if (typeof t.description === "string") fn.description = t.description;
      return { type: "function", function: fn };
    });
  }
  const choice = body.tool_choice;
  if (isObject(choice)) {
    if (choice.type === "auto") out.tool_choice = "auto";
    else if (choice.type === "any") out.tool_choice = "required";
    else if (choice.type === "none") out.tool_choice = "none";
    else if (choice.type === "tool") out.tool_choice = { type: "function", function: { name: choice.name } };
    if (choice.disable_parallel_tool_use === true && out.tools !== undefined) out.parallel_tool_calls = false;
  }
  return out;
}

/** `system` or tool result content: a string, or text blocks joined. */
function textOf(content: unknown, at: string): string {
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw bad(`${at}: Input should be a valid string or list`, at);
  return content.map((b) => isObject(b) && b.type === "text" ? String(b.text ?? "") : "").join("");
}

function blocksOf(content: unknown, i: number): JsonObject[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (!Array.isArray(content)) throw bad(`messages.${i}.content: Field required`, "messages");
  return content.filter(isObject);
}

/** A user turn: tool results first (as tool messages), then the rest as one user message. */
function user(content: unknown, i: number): JsonObject[] {
  const out: JsonObject[] = [];
  const parts: JsonObject[] = [];
  for (const b of blocksOf(content, i)) {
    if (b.type === "tool_result") {
      const text = textOf(b.content, `messages.${i}.content`);
      out.push({
        role: "tool",
        tool_call_id: b.tool_use_id,
        content: b.is_error === true && text === "" ? "error" : text,
      });
    } else if (b.type === "text") parts.push({ type: "text", text: b.text });
    else if (b.type === "image") parts.push({ type: "image_url", image_url: { url: imageUrl(b.source, i) } });
    else {throw bad(
        `messages.${i}.content: block type ${JSON.stringify(b.type)} is not supported`,
        "messages",
      );}
  }
  if (parts.length === 1 && parts[0]!.type === "text") out.push({ role: "user", content: parts[0]!.text });
  else if (parts.length > 0) out.push({ role: "user", content: parts });
  return out;
}

function imageUrl(source: unknown, i: number): string {
  if (isObject(source) && source.type === "base64") return `data:${source.media_type};base64,${source.data}`;
  if (isObject(source) && source.type === "url" && typeof source.url === "string") return source.url;
  throw bad(`messages.${i}.content: image source must be base64 or url`, "messages");
}

function assistant(content: unknown, i: number): JsonObject {
  let text = "";
  const calls: JsonObject[] = [];
  for (const b of blocksOf(content, i)) {
    if (b.type === "text") text += String(b.text ?? "");
    else if (b.type === "tool_use") {
      calls.push({
        id: b.id,
        type: "function",
        function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) },
      });
    }
  }
  const msg: JsonObject = { role: "assistant", content: text === "" && calls.length > 0 ? null : text };
  if (calls.length > 0) msg.tool_calls = calls;
  return msg;
}

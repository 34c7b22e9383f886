/**
 * Rebuilds a streamed response (content, tool calls, finish reason, usage, error) from its SSE
 * events, with at most one `JSON.parse` per event and none for events that carry nothing needed.
 * @module
 */
import type { SseEvent } from "./sse.ts";
import type { Assembled, Operation, ToolCall } from "./types.ts";
import { errorOf, isObject, type JsonObject, num, str } from "./_read.ts";
import { normalizeUsage, withTier } from "./usage.ts";

/** Accumulates a stream's events into an {@link Assembled} result. */
export interface StreamAssembler {
  /** Takes the next event of the stream. */
  push(ev: SseEvent): void;
  /** The result so far; may be called at any time, e.g. when the client leaves mid-stream. */
  result(): Assembled;
}

// The named events that carry something the result needs; other named events skip JSON.parse.
const RESPONSES_EVENTS = new Set([
  "response.created",
  "response.output_text.delta",
  "response.output_item.added",
  "response.function_call_arguments.delta",
  "response.completed",
  "response.incomplete",
  "response.failed",
  "error",
]);
const MESSAGES_EVENTS = new Set([
  "message_start",
  "content_block_start",
  "content_block_delta",
  "message_delta",
  "error",
]);

/** Creates an assembler for a stream of operation `op` (only choice 0 of chat/completions is kept). */
export function createAssembler(op: Operation): StreamAssembler {
  const out: Assembled = { content: "", toolCalls: [], events: 0 };
  // Tool calls by stream index: chat `tool_calls[].index`, Responses `output_index`, Anthropic block index.
  const calls = new Map<number, ToolCall>();
  const apply = op === "responses" ? applyResponses : op === "messages" ? applyMessages : applyChat;
  const needed = op === "responses" ? RESPONSES_EVENTS : op === "messages" ? MESSAGES_EVENTS : undefined;

  function setMeta(id: unknown, model: unknown): void {
    if (out.id === undefined) {
      const s = str(id);
      if (s !== undefined) out.id = s;
    }
    if (out.model === undefined) {
      const s = str(model);
      if (s !== undefined) out.model = s;
    }
  }

  function callAt(index: number, type: string): ToolCall {
    let c = calls.get(index);
    if (c === undefined) {
      c = { id: "", type, name: "", arguments: "" };
      calls.set(index, c);
      out.toolCalls.push(c);
    }
    return c;
  }

  function applyChat(d: JsonObject): void {
    if (isObject(d.error)) {
      out.error = errorOf(d.error)!;
      return;
    }
    setMeta(d.id, d.model);
    if (d.usage != null) {
      const u = normalizeUsage(op, d.usage);
      if (u !== undefined) out.usage = withTier(u, d.service_tier);
    }
    const choices = d.choices;
    if (!Array.isArray(choices)) return;
    for (const ch of choices) {
      if (!isObject(ch) || num(ch.index) !== 0) continue;
      if (typeof ch.finish_reason === "string") out.finishReason = ch.finish_reason;
      if (typeof ch.text === "string") out.content += ch.text;
      const delta = ch.delta;
      if (!isObject(delta)) continue;
      if (typeof delta.content === "string") out.content += delta.content;
      if (Array.isArray(delta.tool_calls)) {
        for (const tc of delta.tool_calls) {
          if (!isObject(tc)) continue;
          const c = callAt(num(tc.index), "function");
          if (typeof tc.id === "string") c.id = tc.id;
          if (typeof tc.type === "string") c.type = tc.type;
          const fn = tc.function;
          if (isObject(fn)) {
            if (typeof fn.name === "string") c.name += fn.name;
            if (typeof fn.arguments === "string") c.arguments += fn.arguments;
          }
        }
      }
    }
  }

  function applyResponses(d: JsonObject): void {
    switch (d.type) {
      case "response.output_text.delta":
        if (typeof d.delta === "string") out.content += d.delta;
        return;
      case "response.function_call_arguments.delta":
        if (typeof d.delta === "string") callAt(num(d.output_index), "function_call").arguments += d.delta;
        return;
      case "response.output_item.added": {
        const item = d.item;
        if (!isObject(item) || item.type !== "function_call") return;
        const c = callAt(num(d.output_index), "function_call");
        c.id = str(item.call_id) ?? str(item.id) ?? "";
        if (typeof item.name === "string") c.name = item.name;
        if (typeof item.arguments === "string") c.arguments = item.arguments + c.arguments;
        return;
      }
      case "error": // the event's own `type` is "error": the kind of error is in `code`
        out.error = { type: str(d.code) ?? "error", message: typeof d.message === "string" ? d.message : "" };
        return;
    }
    const r = d.response;
    if (!isObject(r)) return;
    setMeta(r.id, r.model);
    if (d.type === "response.created") return;
    const incomplete = r.incomplete_details;
    const finish = (isObject(incomplete) ? str(incomplete.reason) : undefined) ?? str(r.status);
    if (finish !== undefined) out.finishReason = finish;
    const u = normalizeUsage(op, r.usage);
    if (u !== undefined) out.usage = withTier(u, r.service_tier);
    if (isObject(r.error)) out.error = errorOf(r.error)!;
  }

  // Anthropic: message_start carries input and cache usage; message_delta the cumulative output.
  let usage: JsonObject | undefined;
  function applyMessages(d: JsonObject): void {
    switch (d.type) {
      case "content_block_delta": {
        const delta = d.delta;
        if (!isObject(delta)) return;
        if (delta.type === "text_delta" && typeof delta.text === "string") out.content += delta.text;
        else if (delta.type === "input_json_delta" && typeof delta.partial_json === "string") {
          callAt(num(d.index), "tool_use").arguments += delta.partial_json;
        }
        return;
      }
      case "content_block_start": {
        const b = d.content_block;
        if (!isObject(b) || (b.type !== "tool_use" && b.type !== "server_tool_use")) return;
        const c = callAt(num(d.index), b.type);
        c.id = typeof b.id === "string" ? b.id : "";
        c.name = typeof b.name === "string" ? b.name : "";
        return;
      }
      case "message_start": {
        const m = d.message;
        if (!isObject(m)) return;
        setMeta(m.id, m.model);
        if (isObject(m.usage)) mergeUsage(m.usage);
        return;
      }
      case "message_delta":
        if (isObject(d.delta) && typeof d.delta.stop_reason === "string") {
          out.finishReason = d.delta.stop_reason;
        }
        if (isObject(d.usage)) mergeUsage(d.usage);
        return;
      case "error":
        out.error = errorOf(d.error) ?? { type: "error", message: "" };
        return;
    }
  }
  function mergeUsage(u: JsonObject): void {
    usage = usage === undefined ? { ...u } : Object.assign(usage, stripNulls(u));
    out.usage = normalizeUsage(op, usage)!;
  }

  return {
    push(ev) {
      out.events++;
      if (needed !== undefined && ev.event !== undefined && !needed.has(ev.event)) return;
      const data = ev.data;
      if (data.charCodeAt(0) !== 123 /* "{" */) return; // "[DONE]" and other non-JSON payloads
      let d: unknown;
      try {
        d = JSON.parse(data);
      } catch {
        return;
      }
      if (isObject(d)) apply(d);
    },
    result() {
      return { ...out, toolCalls: out.toolCalls.map((c) => ({ ...c })) };
    },
  };
}

function stripNulls(u: JsonObject): JsonObject {
  for (const k in u) if (u[k] === null) delete u[k];
  return u;
}

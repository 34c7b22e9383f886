/**
 * Chat completion chunks → Anthropic Messages events, as a pure `(event, state) → events` function.
 * The first chunk with a choice opens the message (`message_start`); content and tool call deltas open,
 * fill and close content blocks; the finish reason and the usage chunk are held until `[DONE]`, which
 * emits `message_delta` (stop reason and usage) and `message_stop`. An error payload becomes an
 * Anthropic `error` event.
 */
import { isObject, num } from "../../streams/_read.ts";
import type { JsonObject } from "../types.ts";
import { anthropicErrorBody } from "./errors.ts";
import { stopReasonOf } from "./finish.ts";
import { anthropicUsageOf } from "./usage.ts";

/** One output event: its SSE `event` name and `data` object. */
export interface MessageOut {
  event: string;
  data: JsonObject;
}

/** What the translation remembers between chunks. */
export interface MessageStreamState {
  started: boolean;
  /** Model the client asked for, until a chunk names the upstream's. */
  model: string;
  /** Index of the next content block. */
  next: number;
  /** The open block: its index, and the chat tool call index it holds (`-1` for text). */
  open: { index: number; tool: number } | null;
  stopReason: string | null;
  usage: JsonObject | null;
  done: boolean;
}

/** Fresh state for one stream. */
export function newMessageStreamState(model: string): MessageStreamState {
  return { started: false, model, next: 0, open: null, stopReason: null, usage: null, done: false };
}

function start(s: MessageStreamState, chunk: JsonObject, out: MessageOut[]): void {
  if (s.started) return;
  s.started = true;
  if (typeof chunk.model === "string" && chunk.model !== "") s.model = chunk.model;
  const id = typeof chunk.id === "string" && chunk.id !== "" ? chunk.id : "msg_azmw";
  const message = {
    id,
    type: "message",
    role: "assistant",
    model: s.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 0, output_tokens: 0 },
  };
  out.push({ event: "message_start", data: { type: "message_start", message } });
}

function close(s: MessageStreamState, out: MessageOut[]): void {
  if (s.open === null) return;
  out.push({ event: "content_block_stop", data: { type: "content_block_stop", index: s.open.index } });
  s.open = null;
}

function open(s: MessageStreamState, tool: number, block: JsonObject, out: MessageOut[]): number {
  close(s, out);
  const index = s.next++;
  s.open = { index, tool };
  out.push({
    event: "content_block_start",
    data: { type: "content_block_start", index, content_block: block },
  });
  return index;
}

function delta(index: number, d: JsonObject): MessageOut {
  return { event: "content_block_delta", data: { type: "content_block_delta", index, delta: d } };
}

/** Translates one chat stream event (a parsed chunk, or `"[DONE]"`) into Anthropic events. */
export function chatEventToMessages(ev: JsonObject | "[DONE]", s: MessageStreamState): MessageOut[] {
  if (s.done) return [];
  const out: MessageOut[] = [];
  if (ev === "[DONE]") return finish(s, out);
  if (isObject(ev.error)) {
    s.done = true;
    const e = ev.error;
    const status = typeof e.code === "string" && /^\d{3}$/.test(e.code) ? Number(e.code) : 500;
    return [{ event: "error", data: anthropicErrorBody(status, String(e.message ?? "")) }];
  }
  if (isObject(ev.usage)) s.usage = anthropicUsageOf(ev.usage);
  const choice = Array.isArray(ev.choices)
    ? ev.choices.find((c) => isObject(c) && num(c.index) === 0)
    : undefined;
  if (!isObject(choice)) return out;
  start(s, ev, out);
  const d = isObject(choice.delta) ? choice.delta : {};
  if (typeof d.content === "string" && d.content !== "") {
    const index = s.open?.tool === -1 ? s.open.index : open(s, -1, { type: "text", text: "" }, out);
    out.push(delta(index, { type: "text_delta", text: d.content }));
  }
  for (const tc of Array.isArray(d.tool_calls) ? d.tool_calls : []) {
    if (!isObject(tc)) continue;
    const fn = isObject(tc.function) ? tc.function : {};
    const tool = num(tc.index);
    if (s.open?.tool !== tool) {
      open(s, tool, { type: "tool_use", id: tc.id ?? `toolu_${tool}`, name: fn.name ?? "", input: {} }, out);
    }
    if (typeof fn.arguments === "string" && fn.arguments !== "") {
      out.push(delta(s.open!.index, { type: "input_json_delta", partial_json: fn.arguments }));
    }
  }
  const stop = stopReasonOf(choice.finish_reason);
  if (stop !== null) {
    s.stopReason = stop;
    close(s, out);
  }
  return out;
}

function finish(s: MessageStreamState, out: MessageOut[]): MessageOut[] {
  s.done = true;
  start(s, {}, out);
  close(s, out);
  const usage = s.usage ?? { output_tokens: 0 };
  out.push({
    event: "message_delta",
    data: {
      type: "message_delta",
      delta: { stop_reason: s.stopReason ?? "end_turn", stop_sequence: null },
      usage,
    },
  });
  out.push({ event: "message_stop", data: { type: "message_stop" } });
  return out;
}

/**
 * Chat completions request → Anthropic Messages request, as a pure function: system and developer
 * messages become `system`, tool results become `tool_result` blocks in user turns, assistant tool calls
 * become `tool_use` blocks, images become base64 or URL sources, consecutive turns of one role merge
 * (Anthropic requires alternation), and `cache_control` markers stay where the client put them.
 */
import { GatewayError } from "../../core/errors.ts";
import { isObject } from "../../streams/_read.ts";
import type { JsonObject } from "../types.ts";

/** Options of {@link chatToMessages}. */
export interface ChatToMessagesOptions {
  /** The upstream model id. */
  model: string;
  /** `max_tokens` when the client set neither `max_tokens` nor `max_completion_tokens`. */
  defaultMaxTokens: number;
}

type Block = JsonObject;
interface Turn {
  role: "user" | "assistant";
  content: Block[];
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function bad(message: string, param: string): GatewayError {
  return new GatewayError(400, "unsupported_parameter", message, { param });
}

/** Builds the Anthropic request for a chat completions body (the body itself is not changed). */
export function chatToMessages(chat: JsonObject, opts: ChatToMessagesOptions): JsonObject {
  if (!Array.isArray(chat.messages)) throw bad('"messages" must be a list', "messages");
  if (typeof chat.n === "number" && chat.n > 1) {
    throw bad('"n" greater than 1 is not supported by this model', "n");
  }
  const system: Block[] = [];
  const turns: Turn[] = [];
  const push = (role: Turn["role"], content: Block[]) => {
    if (content.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...content);
    else turns.push({ role, content });
  };
  chat.messages.forEach((m: unknown, i: number) => {
    if (!isObject(m)) throw bad(`"messages[${i}]" must be an object`, "messages");
    const marker = isObject(m.cache_control) ? m.cache_control : undefined;
    switch (m.role) {
      case "system":
      case "developer":
        system.push(...mark(contentBlocks(m.content, `messages[${i}]`), marker));
        return;
      case "user":
        return push("user", mark(contentBlocks(m.content, `messages[${i}]`), marker));
      case "assistant":
        return push("assistant", mark(assistantBlocks(m, i), marker));
      case "tool":
        return push("user", [{
          type: "tool_result",
          tool_use_id: String(m.tool_call_id ?? ""),
          content: typeof m.content === "string" ? m.content : contentBlocks(m.content, `messages[${i}]`),
          ...(marker ? { cache_control: marker } : {}),
        }]);
      default:
        throw bad(`Role ${JSON.stringify(m.role)} of "messages[${i}]" is not supported`, "messages");
    }
  });
  const out: JsonObject = {
    model: opts.model,
    max_tokens: num(chat.max_completion_tokens) ?? num(chat.max_tokens) ?? opts.defaultMaxTokens,
    messages: turns.map((t) => ({ role: t.role, content: simplify(t.content) })),
  };
  if (system.length > 0) out.system = simplify(system);
  const stop = chat.stop;
  if (typeof stop === "string") out.stop_sequences = [stop];
  else if (Array.isArray(stop) && stop.length > 0) out.stop_sequences = stop;
  const temperature = num(chat.temperature);
  if (temperature !== undefined) out.temperature = Math.min(1, Math.max(0, temperature));
  if (num(chat.top_p) !== undefined) out.top_p = chat.top_p;
  if (chat.stream === true) out.stream = true;
  if (typeof chat.user === "string") out.metadata = { user_id: chat.user };
  if (Array.isArray(chat.tools) && chat.tools.length > 0) out.tools = chat.tools.map(tool);
  const choice = toolChoice(chat.tool_choice, chat.parallel_tool_calls === false && out.tools !== undefined);
  if (choice !== undefined) out.tool_choice = choice;
  return out;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** A single text block without markers travels as a plain string (as most clients send it). */
function simplify(blocks: Block[]): string | Block[] {
  const only = blocks[0];
  if (blocks.length === 1 && only?.type === "text" && only.cache_control === undefined) {
    return only.text as string;
  }
  return blocks;
}

/** A message-level `cache_control` marks the message's last block, as Anthropic expects. */
function mark(blocks: Block[], marker: JsonObject | undefined): Block[] {
  const last = blocks.at(-1);
  if (marker !== undefined && last !== undefined) last.cache_control = marker;
  return blocks;
}

/** Content (a string or parts) as Anthropic blocks. */
function contentBlocks(content: unknown, at: string): Block[] {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  if (content === null || content === undefined) return [];
  if (!Array.isArray(content)) throw bad(`"${at}.content" must be a string or a list`, "messages");
  return content.map((p, j) => part(p, `${at}.content[${j}]`));
}

function part(p: unknown, at: string): Block {
  if (!isObject(p)) throw bad(`"${at}" must be an object`, "messages");
  const cache = isObject(p.cache_control) ? { cache_control: p.cache_control } : {};
  switch (p.type) {
    case "text":
    case "refusal":
      return { type: "text", text: String(p.text ?? p.refusal ?? ""), ...cache };
    case "image_url": {
      const ref = isObject(p.image_url) ? p.image_url.url : p.image_url;
      if (typeof ref !== "string") throw bad(`"${at}.image_url.url" must be a string`, "messages");
      return { type: "image", source: source(ref), ...cache };
    }
    case "file": {
      const data = isObject(p.file) ? p.file.file_data : undefined;
      const m = typeof data === "string" ? DATA_URL.exec(data) : null;
      if (m === null) throw bad(`"${at}" needs "file.file_data" as a base64 data URL`, "messages");
      return { type: "document", source: { type: "base64", media_type: m[1], data: m[2] }, ...cache };
    }
    default:
      throw bad(`Content part type ${JSON.stringify(p.type)} at "${at}" is not supported`, "messages");
  }
}

/** An image reference: a base64 data URL or an http(s) URL. */
function source(ref: string): JsonObject {
  const m = DATA_URL.exec(ref);
  if (m !== null) return { type: "base64", media_type: m[1], data: m[2] };
  return { type: "url", url: ref };
}

function assistantBlocks(m: JsonObject, i: number): Block[] {
  const blocks = contentBlocks(m.content, `messages[${i}]`).filter((b) => b.type !== "text" || b.text !== "");
  if (Array.isArray(m.tool_calls)) {
    for (const tc of m.tool_calls) {
      if (!isObject(tc) || !isObject(tc.function)) continue;
      blocks.push({
        type: "tool_use",
        id: String(tc.id ?? ""),
        name: String(tc.function.name ?? ""),
        input: toolInput(tc.function.arguments, i),
      });
    }
  }
  return blocks;
}

function toolInput(args: unknown, i: number): unknown {
  if (typeof args !== "string" || args.trim() === "") return {};
  try {
    const v = JSON.parse(args);
    if (isObject(v)) return v;
  } catch { /* reported below */ }
  throw bad(`The tool call arguments of "messages[${i}]" are not a JSON object`, "messages");
}

function tool(t: unknown, i: number): JsonObject {
  if (!isObject(t) || t.type !== "function" || !isObject(t.function)) {
    throw bad(`"tools[${i}]" must be a function tool`, "tools");
  }
  const fn = t.function;
  return {
    name: fn.name,
    ...(typeof fn.description === "string" ? { description: fn.description } : {}),
    input_schema: isObject(fn.parameters) ? fn.parameters : { type: "object", properties: {} },
    ...(isObject(t.cache_control) ? { cache_control: t.cache_control } : {}),
  };
}

function toolChoice(choice: unknown, noParallel: boolean): JsonObject | undefined {
  let out: JsonObject | undefined;
  if (choice === "auto") out = { type: "auto" };
  else if (choice === "none") return { type: "none" };
  else if (choice === "required") out = { type: "any" };
  else if (isObject(choice) && isObject(choice.function)) out = { type: "tool", name: choice.function.name };
  else if (choice !== undefined && choice !== null) throw bad('"tool_choice" is not valid', "tool_choice");
  if (noParallel) return { ...(out ?? { type: "auto" }), disable_parallel_tool_use: true };
  return out;
}

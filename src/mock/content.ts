/**
 * What the mock says: the deterministic reply text, cached per chunk count, and the tool call it
 * makes when a request offers tools.
 */

const pieceCache: string[] = [];
const textCache = new Map<number, string>();

/** Text of content chunk `i` (1-based): `"This is mock reply chunk i. "`. */
export function replyPiece(i: number): string {
  if (i < 1024) return pieceCache[i] ??= `This is mock reply chunk ${i}. `;
  return `This is mock reply chunk ${i}. `;
}

/** The whole reply for `chunks` chunks, i.e. the concatenation of `replyPiece(1..chunks)`. */
export function replyText(chunks: number): string {
  let text = textCache.get(chunks);
  if (text === undefined) {
    text = "";
    for (let i = 1; i <= chunks; i++) text += replyPiece(i);
    if (textCache.size < 256) textCache.set(chunks, text);
  }
  return text;
}

/** A tool call the mock makes: the tool's name and JSON arguments. */
export interface MockToolCall {
  /** Function (tool) name. */
  name: string;
  /** Arguments as a JSON text. */
  arguments: string;
  /** The same arguments parsed. */
  input: Record<string, unknown>;
}

function sampleValue(schema: unknown): unknown {
  if (schema === null || typeof schema !== "object") return "mock";
  const s = schema as Record<string, unknown>;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case "number":
    case "integer":
      return 1;
    case "boolean":
      return true;
    case "array":
      return [];
    case "object":
      return {};
    case "null":
      return null;
    default:
      return "mock";
  }
}

/** Fills the required properties of a JSON schema (all of them when none is required). */
function sampleArguments(schema: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (schema === null || typeof schema !== "object") return out;
  const s = schema as Record<string, unknown>;
  const props = (s.properties ?? {}) as Record<string, unknown>;
  const names = Array.isArray(s.required) && s.required.length > 0
    ? s.required.filter((n): n is string => typeof n === "string")
    : Object.keys(props);
  for (const name of names) out[name] = sampleValue(props[name]);
  return out;
}

interface ToolSpec {
  name: string;
  schema: unknown;
}

/** Reads one entry of `tools` in any of the three dialects' shapes. */
function toolSpec(tool: unknown): ToolSpec | undefined {
  if (tool === null || typeof tool !== "object") return undefined;
  const t = tool as Record<string, unknown>;
  const fn = t.function as Record<string, unknown> | undefined;
  if (fn && typeof fn.name === "string") return { name: fn.name, schema: fn.parameters };
  if (typeof t.name === "string") return { name: t.name, schema: t.parameters ?? t.input_schema };
  return undefined;
}

/** Name forced by `tool_choice`, `false` when tools are switched off, `undefined` for "auto". */
function forcedName(choice: unknown): string | false | undefined {
  if (choice === "none") return false;
  if (choice === null || typeof choice !== "object") return undefined;
  const c = choice as Record<string, unknown>;
  if (c.type === "none") return false;
  const fn = c.function as Record<string, unknown> | undefined;
  if (fn && typeof fn.name === "string") return fn.name;
  if (typeof c.name === "string") return c.name;
  return undefined;
}

/** The tool call for a request with `tools` (the forced one, else the first), or `undefined`. */
export function toolCallFor(body: Record<string, unknown>): MockToolCall | undefined {
  const tools = body.tools;
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  const forced = forcedName(body.tool_choice);
  if (forced === false) return undefined;
  let spec: ToolSpec | undefined;
  for (const tool of tools) {
    const s = toolSpec(tool);
    if (s && (forced === undefined || s.name === forced)) {
      spec = s;
      break;
    }
  }
  if (spec === undefined) return undefined;
  const input = sampleArguments(spec.schema);
  return { name: spec.name, arguments: JSON.stringify(input), input };
}

/** Splits `text` into at most `parts` non-empty pieces of near-equal length. */
export function splitPieces(text: string, parts: number): string[] {
  const n = Math.max(1, Math.min(parts, text.length));
  const size = Math.ceil(text.length / n);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length === 0 ? [""] : out;
}

let counter = 0;
const PROCESS_TAG = crypto.randomUUID().replaceAll("-", "").slice(0, 12);

/** A unique id with a provider prefix, e.g. `chatcmpl-mock3f2a…`; cheaper than a UUID per call. */
export function mockId(prefix: string): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${prefix}${PROCESS_TAG}${counter.toString(36).padStart(8, "0")}`;
}

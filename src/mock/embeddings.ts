/**
 * Embeddings: one deterministic unit vector per dimension count, encoded once per format and
 * reused, so large answers cost a string join.
 */
import { mockPromptTokens } from "./tokens.ts";
import type { ReplyContext } from "./types.ts";
import { bodyResponse } from "./sse.ts";
import { errorResponse } from "./wire.ts";

/** Dimensions when the request names none (text-embedding-3-small, ada-002). */
export const DEFAULT_DIMENSIONS = 1536;
const MAX_DIMENSIONS = 8192;

const vectorCache = new Map<string, Uint8Array<ArrayBuffer>>();
const encoder = new TextEncoder();

/** The mock's embedding values for `dimensions`: a fixed unit vector, as float32. */
export function mockEmbedding(dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  let norm = 0;
  for (let j = 0; j < dimensions; j++) {
    const x = Math.sin((j + 1) * 12.9898) * 43758.5453;
    v[j] = x - Math.floor(x) - 0.5;
    norm += v[j]! * v[j]!;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let j = 0; j < dimensions; j++) v[j] = v[j]! * scale;
  return v;
}

/** The vector as it appears in JSON (a float array, or a quoted base64 string), UTF-8 encoded. */
function encodedVector(dimensions: number, base64: boolean): Uint8Array<ArrayBuffer> {
  const key = `${dimensions}:${base64 ? "b" : "f"}`;
  const cached = vectorCache.get(key);
  if (cached !== undefined) return cached;
  let text: string;
  const v = mockEmbedding(dimensions);
  if (base64) {
    const bytes = new Uint8Array(dimensions * 4);
    const view = new DataView(bytes.buffer);
    for (let j = 0; j < dimensions; j++) view.setFloat32(j * 4, v[j]!, true);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    text = JSON.stringify(btoa(binary));
  } else {
    text = JSON.stringify(Array.from(v));
  }
  const bytes = encoder.encode(text);
  if (vectorCache.size < 64) vectorCache.set(key, bytes);
  return bytes;
}

/** Concatenates the answer's pieces: Response would otherwise encode a large string per request. */
function assemble(head: string, count: number, vector: Uint8Array, tail: string): Uint8Array<ArrayBuffer> {
  const items: Uint8Array[] = [encoder.encode(head)];
  let size = items[0]!.length;
  for (let i = 0; i < count; i++) {
    const open = encoder.encode(`${i === 0 ? "" : ","}{"object":"embedding","index":${i},"embedding":`);
    items.push(open, vector, CLOSE);
    size += open.length + vector.length + 1;
  }
  const end = encoder.encode(tail);
  items.push(end);
  size += end.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of items) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const CLOSE = encoder.encode("}");

/** Number of embeddings asked for: 1 for a string or a token array, else the array's length. */
function inputCount(input: unknown): number {
  if (typeof input === "string") return input.length > 0 ? 1 : 0;
  if (!Array.isArray(input) || input.length === 0) return 0;
  return input.every((x) => typeof x === "number") ? 1 : input.length;
}

/** Answers an embeddings request. */
export function embeddingsReply(ctx: ReplyContext): Response {
  const { body, flavor, headers } = ctx;
  const count = inputCount(body.input);
  if (count === 0) {
    return errorResponse(flavor, 400, {
      headers: headers,
      message:
        "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
      param: "input",
    });
  }
  const dims = body.dimensions ?? DEFAULT_DIMENSIONS;
  if (typeof dims !== "number" || !Number.isInteger(dims) || dims < 1 || dims > MAX_DIMENSIONS) {
    return errorResponse(flavor, 400, {
      headers: headers,
      message: `Invalid value for 'dimensions' = ${
        JSON.stringify(dims)
      }. Must be an integer from 1 to ${MAX_DIMENSIONS}.`,
      param: "dimensions",
    });
  }
  const format = body.encoding_format ?? "float";
  if (format !== "float" && format !== "base64") {
    return errorResponse(flavor, 400, {
      headers: headers,
      message: `Invalid value for 'encoding_format' = ${
        JSON.stringify(format)
      }. Supported values are: 'float' and 'base64'.`,
      param: "encoding_format",
    });
  }
  const vector = encodedVector(dims, format === "base64");
  const tokens = mockPromptTokens(body);
  const tail = `],"model":${
    JSON.stringify(ctx.model)
  },"usage":{"prompt_tokens":${tokens},"total_tokens":${tokens}}}`;
  return bodyResponse(assemble(`{"object":"list","data":[`, count, vector, tail), headers, ctx);
}

/**
 * Upper bounds of what a request can be billed for, for reservations that hold a cap:
 *
 * - Prompt: byte-level BPE tokenizers (OpenAI's o200k/cl100k, Anthropic's) never make a token of less
 *   than one byte, so the UTF-8 bytes of the request's strings bound its text tokens. Every object adds
 *   4 tokens (per-message overhead is 3–4), tools add 1,000 (the tool-use system prompt Anthropic adds is
 *   under 400), and each image part counts {@link IMAGE_TOKENS} (50,000 on `gpt-4o-mini*`, whose image
 *   tokens are multiplied by 33). Inline data of audio and documents counts its bytes: a bound for
 *   audio, a heuristic for documents.
 * - Output: the request's maximum (`max_tokens`, `max_completion_tokens`, `max_output_tokens`) times its
 *   choices (`n`, `best_of`); embeddings have none.
 */
import { MAX_TOKEN_FIELDS } from "../governance/check.ts";

/** Tokens one image part can cost on any supported model but `gpt-4o-mini*` (10,240 patches at most). */
export const IMAGE_TOKENS = 12_000;
/** `gpt-4o-mini` bills image tiles at 33 × (2,833 + 5,667 per tile, 8 tiles at most). */
const MINI_IMAGE_TOKENS = 50_000;
const TOOLS_TOKENS = 1_000;
const OBJECT_TOKENS = 4;
const BASE_TOKENS = 16;
const IMAGE_TYPES = new Set(["image_url", "input_image", "image"]);
const MAX_DEPTH = 64;
const LONG_STRING = 512;
const MAX_SCRATCH_UNITS = 1 << 20;

const encoder = new TextEncoder();
/** Reused by `utf8Length`; grows to 3 bytes per UTF-16 unit of the longest string seen (≤ 1 Mi units). */
let scratch = new Uint8Array(4096);

/** UTF-8 length of `s` without encoding it. */
export function utf8Length(s: string): number {
  if (s.length > LONG_STRING) {
    // Native and without an allocation per string: 20 × faster than this loop on long text. Strings
    // over 1 Mi units are encoded apart, so the reused buffer never holds more than 3 MiB.
    if (s.length > MAX_SCRATCH_UNITS) return encoder.encode(s).byteLength;
    if (scratch.length < s.length * 3) scratch = new Uint8Array(s.length * 3);
    return encoder.encodeInto(s, scratch).written;
  }
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      i++; // a surrogate pair: 4 bytes for 2 UTF-16 units
      n += 2;
    } else n += 2;
  }
  return n;
}

/** What one walk over a request body finds: its text bound without images, and what it asks for. */
export interface PromptScan {
  /** Token bound of everything but images. */
  tokens: number;
  /** Image parts. */
  images: number;
  /** Whether the body asks for prompt caching (`cache_control`), and for one-hour caching. */
  caching: boolean;
  hour: boolean;
}

/** Walks `body` once (see the module doc for what counts). */
export function scanPrompt(body: Record<string, unknown> | null | undefined): PromptScan {
  const scan: PromptScan = { tokens: 0, images: 0, caching: false, hour: false };
  if (!body) return scan;
  scan.tokens = BASE_TOKENS;
  if (Array.isArray(body.tools) && body.tools.length > 0) scan.tokens += TOOLS_TOKENS;
  if (Array.isArray(body.functions) && body.functions.length > 0) scan.tokens += TOOLS_TOKENS;
  for (const [key, value] of Object.entries(body)) {
    if (key === "model" || typeof value === "number" || typeof value === "boolean") continue;
    scan.tokens += walk(value, scan, 0);
  }
  return scan;
}

/** Tokens one image part can cost on `model` (any model when absent). */
export function imageTokens(model?: string): number {
  return model !== undefined && /^gpt-4o-mini/.test(model) ? MINI_IMAGE_TOKENS : IMAGE_TOKENS;
}

/** An upper bound of the prompt tokens of `body` on `model` (any model when absent). */
export function promptBound(body: Record<string, unknown> | null | undefined, model?: string): number {
  const scan = scanPrompt(body);
  return scan.tokens + scan.images * imageTokens(model);
}

function walk(value: unknown, scan: PromptScan, depth: number): number {
  if (typeof value === "string") return utf8Length(value);
  if (typeof value === "number") return depth > 0 ? 1 : 0; // token arrays (embeddings, completions)
  if (value === null || typeof value !== "object") return 0;
  if (depth > MAX_DEPTH) return encoder.encode(JSON.stringify(value)).byteLength;
  if (Array.isArray(value)) {
    let n = 0;
    for (const v of value) n += walk(v, scan, depth + 1);
    return n;
  }
  const o = value as Record<string, unknown>;
  const cache = o.cache_control;
  if (cache !== undefined) {
    scan.caching = true;
    if (cache !== null && typeof cache === "object" && (cache as Record<string, unknown>).ttl === "1h") {
      scan.hour = true;
    }
  }
  if (typeof o.type === "string" && IMAGE_TYPES.has(o.type)) {
    scan.images++;
    return OBJECT_TOKENS;
  }
  let n = OBJECT_TOKENS;
  for (const v of Object.values(o)) n += walk(v, scan, depth + 1);
  return n;
}

/** The maximum output tokens per choice the request sets, or `null` when it sets none. */
export function requestedMax(body: Record<string, unknown> | null | undefined): number | null {
  if (!body) return null;
  for (const field of MAX_TOKEN_FIELDS) {
    const v = body[field];
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) return Math.ceil(v);
  }
  return null;
}

/** Completions the upstream bills per request: `n` on chat and completions, `best_of` on completions. */
export function choicesOf(body: Record<string, unknown> | null | undefined): number {
  if (!body) return 1;
  const whole = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= 1 ? Math.ceil(v) : 1;
  return Math.max(whole(body.n), whole(body.best_of));
}

/** Whether `model` is a reasoning model that takes `max_completion_tokens` and refuses `max_tokens`. */
export function isReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)/.test(model);
}

/**
 * The body field that limits the output of `operation`, in the client's dialect (the provider adapter
 * translates it): `max_output_tokens` on Responses, `max_completion_tokens` on chat when a candidate
 * model is a reasoning model, else `max_tokens`; `null` for embeddings.
 */
export function maxField(operation: string, models: readonly string[]): string | null {
  switch (operation) {
    case "embeddings":
      return null;
    case "responses":
      return "max_output_tokens";
    case "chat":
      return models.some(isReasoningModel) ? "max_completion_tokens" : "max_tokens";
    default:
      return "max_tokens";
  }
}

/**
 * Usage and error details from non-streaming JSON bodies, read without parsing the whole body where
 * possible (usage is a top-level key, last in practice).
 */
import type { Operation, Usage } from "../streams/types.ts";
import { usageFromBody } from "../streams/usage.ts";

const USAGE_KEY = '"usage"';

/**
 * Finds the usage object of a JSON response body without parsing the whole body (usage is a top-level
 * key, last in practice); falls back to a full parse when the quick path does not apply.
 */
export function usageFromBytes(op: Operation, bytes: Uint8Array): Usage | undefined {
  const text = new TextDecoder().decode(bytes);
  const at = text.lastIndexOf(USAGE_KEY);
  if (at < 0) return undefined;
  const open = text.indexOf("{", at + USAGE_KEY.length);
  if (open > 0 && /^\s*:\s*$/.test(text.slice(at + USAGE_KEY.length, open))) {
    const close = matchBrace(text, open);
    if (close > 0) {
      try {
        return usageFromBody(op, {
          usage: JSON.parse(text.slice(open, close + 1)),
          service_tier: tierOf(text),
        });
      } catch { /* fall through to the full parse */ }
    }
  }
  try {
    return usageFromBody(op, JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * The top-level `service_tier` of an OpenAI body (priced apart when not the standard one). An unescaped
 * `"service_tier"` only occurs as a key: inside string values its quotes are escaped.
 */
function tierOf(text: string): string | undefined {
  const at = text.lastIndexOf(TIER_KEY);
  if (at < 0) return undefined;
  return TIER_VALUE.exec(text.slice(at + TIER_KEY.length, at + TIER_KEY.length + 64))?.[1];
}

const TIER_KEY = '"service_tier"';
const TIER_VALUE = /^\s*:\s*"([A-Za-z_-]{1,32})"/;

function matchBrace(text: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return i;
  }
  return -1;
}

/** Pulls `{type, code, message}` out of an upstream error body, for the record (never shown to clients). */
export function upstreamErrorOf(bytes: Uint8Array): { type: string; code: string; message: string } {
  try {
    const j = JSON.parse(new TextDecoder().decode(bytes)) as { error?: Record<string, unknown> };
    const e = j.error ?? {};
    return {
      type: String(e.type ?? "upstream_error"),
      code: String(e.code ?? "upstream_error"),
      message: String(e.message ?? "").slice(0, 500),
    };
  } catch {
    return {
      type: "upstream_error",
      code: "upstream_error",
      message: new TextDecoder().decode(bytes.slice(0, 200)),
    };
  }
}

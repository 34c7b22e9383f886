/**
 * Token estimates for admission: the prompt's text at roughly four characters a token, plus the output
 * the request asks for. Only a first charge — the limiter settles to the real usage afterwards.
 */
import { MAX_TOKEN_FIELDS } from "./check.ts";

/** Body fields whose text is sent to the model. */
const PROMPT_FIELDS = ["messages", "input", "prompt", "system", "instructions", "tools", "functions"];

/** Estimated prompt and output tokens of a request body. */
export function estimateTokens(
  body: Record<string, unknown> | null | undefined,
  options: { defaultMaxTokens?: number | null } = {},
): { prompt: number; output: number; total: number } {
  if (!body) return { prompt: 0, output: 0, total: 0 };
  let chars = 0;
  for (const field of PROMPT_FIELDS) chars += textLength(body[field], 0);
  const prompt = Math.ceil(chars / 4);
  let output = options.defaultMaxTokens ?? 0;
  for (const field of MAX_TOKEN_FIELDS) {
    const v = body[field];
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) {
      output = v;
      break;
    }
  }
  return { prompt, output, total: prompt + output };
}

function textLength(value: unknown, depth: number): number {
  if (typeof value === "string") return value.length;
  if (depth > 32 || value === null || typeof value !== "object") return 0;
  let n = 0;
  for (const v of Array.isArray(value) ? value : Object.values(value)) n += textLength(v, depth + 1);
  return n;
}

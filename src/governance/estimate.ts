/**
 * Token estimates for admission: the prompt's text at roughly four characters a token, plus the output
 * the request asks for. Only a first charge — the limiter settles to the real usage afterwards. The
 * prompt is read by `promptText`, which the cost estimate (`cost/estimate.ts`) shares.
 */
import { MAX_TOKEN_FIELDS } from "./check.ts";

/** Body fields whose text is sent to the model. */
const PROMPT_FIELDS = ["system", "instructions", "messages", "input", "prompt", "tools", "functions"];
/** Structural keys whose values are covered by the per-message overhead, not counted as text. */
const STRUCTURAL = new Set(["role", "type", "id", "tool_call_id", "cache_control"]);

/**
 * The prompt of a request body as the estimators read it: the texts sent to the model, and the tokens
 * known without text (token arrays, e.g. embeddings input, count one per number). Inline data (`data:`
 * URLs: images, audio) is never text; structural values (`role`, `type` …) are text only with
 * `structural: true` (admission counts them in place of the per-message overhead).
 */
export function promptText(
  body: Record<string, unknown>,
  options: { structural?: boolean } = {},
): { texts: string[]; tokens: number } {
  const texts: string[] = [];
  const skip = options.structural ? new Set<string>() : STRUCTURAL;
  let tokens = 0;
  for (const field of PROMPT_FIELDS) tokens += collect(body[field], texts, skip, 0);
  return { texts, tokens };
}

/** Estimated prompt and output tokens of a request body. */
export function estimateTokens(
  body: Record<string, unknown> | null | undefined,
  options: { defaultMaxTokens?: number | null } = {},
): { prompt: number; output: number; total: number } {
  if (!body) return { prompt: 0, output: 0, total: 0 };
  const { texts, tokens } = promptText(body, { structural: true });
  let chars = 0;
  for (const text of texts) chars += text.length;
  const prompt = tokens + Math.ceil(chars / 4);
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

function collect(value: unknown, texts: string[], skip: ReadonlySet<string>, depth: number): number {
  if (typeof value === "string") {
    if (!value.startsWith("data:")) texts.push(value);
    return 0;
  }
  if (typeof value === "number") return depth > 0 ? 1 : 0;
  if (depth > 32 || value === null || typeof value !== "object") return 0;
  let tokens = 0;
  if (Array.isArray(value)) {
    for (const v of value) tokens += collect(v, texts, skip, depth + 1);
  } else {
    for (const [k, v] of Object.entries(value)) {
      if (!skip.has(k)) tokens += collect(v, texts, skip, depth + 1);
    }
  }
  return tokens;
}

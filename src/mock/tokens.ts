/**
 * The mock's deterministic token accounting; the rule is documented in `mod.ts` and other tests
 * compute expected figures from these functions.
 */

/** Completion tokens reported per content chunk. */
export const MOCK_TOKENS_PER_CHUNK = 7;
/** Content chunks in an answer when neither options nor `x-mock-chunks` say otherwise. */
export const MOCK_DEFAULT_CHUNKS = 8;

/** Token figures of one mock answer. */
export interface MockTokenCounts {
  /** Prompt (input) tokens, cached ones included. */
  prompt: number;
  /** Completion (output) tokens, reasoning ones included. */
  completion: number;
  /** Prompt tokens served from cache (`[cached:N]`, capped at `prompt`). */
  cached: number;
  /** Completion tokens spent on reasoning (`[reasoning:N]`). */
  reasoning: number;
}

interface Tally {
  chars: number;
  cached: number | undefined;
  reasoning: number | undefined;
}

const CACHED = /\[cached:(\d+)\]/;
const REASONING = /\[reasoning:(\d+)\]/;

function addString(t: Tally, s: string): void {
  t.chars += s.length;
  if (s.indexOf("[") === -1) return;
  if (t.cached === undefined) {
    const m = CACHED.exec(s);
    if (m) t.cached = Number(m[1]);
  }
  if (t.reasoning === undefined) {
    const m = REASONING.exec(s);
    if (m) t.reasoning = Number(m[1]);
  }
}

/** Counts text the way the rule says: strings, array items, and `text`/`content` of objects. */
function addText(t: Tally, value: unknown, depth = 0): void {
  if (typeof value === "string") addString(t, value);
  else if (typeof value === "number") t.chars += 4;
  else if (Array.isArray(value)) { for (const item of value) addText(t, item, depth); }
  else if (value !== null && typeof value === "object" && depth < 8) {
    const o = value as Record<string, unknown>;
    if (typeof o.text === "string") addString(t, o.text);
    if (o.content !== undefined) addText(t, o.content, depth + 1);
  }
}

function tally(body: unknown): { t: Tally; messages: number } {
  const t: Tally = { chars: 0, cached: undefined, reasoning: undefined };
  let messages = 0;
  if (body === null || typeof body !== "object") return { t, messages };
  const b = body as Record<string, unknown>;
  if (Array.isArray(b.messages)) {
    messages += b.messages.length;
    addText(t, b.messages);
  }
  if (b.system !== undefined) addText(t, b.system);
  if (typeof b.instructions === "string") addString(t, b.instructions);
  if (b.prompt !== undefined) addText(t, b.prompt);
  if (b.input !== undefined) {
    if (Array.isArray(b.input)) {
      for (const item of b.input) {
        if (item !== null && typeof item === "object" && !Array.isArray(item)) messages++;
      }
    }
    addText(t, b.input);
  }
  return { t, messages };
}

/** Prompt tokens the mock reports for a request body: `ceil(chars / 4) + 3 × messages`. */
export function mockPromptTokens(body: unknown): number {
  const { t, messages } = tally(body);
  return Math.ceil(t.chars / 4) + 3 * messages;
}

/** All token figures the mock reports for a request body answered with `chunks` content chunks. */
export function mockTokenCounts(body: unknown, options: { chunks?: number } = {}): MockTokenCounts {
  const { t, messages } = tally(body);
  const prompt = Math.ceil(t.chars / 4) + 3 * messages;
  const reasoning = t.reasoning ?? 0;
  const chunks = options.chunks ?? MOCK_DEFAULT_CHUNKS;
  return {
    prompt,
    completion: chunks * MOCK_TOKENS_PER_CHUNK + reasoning,
    cached: Math.min(t.cached ?? 0, prompt),
    reasoning,
  };
}

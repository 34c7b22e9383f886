/**
 * The cost of one call from its normalised usage. Usage follows OpenAI's convention (`promptTokens`
 * includes cached reads and cache writes, `completionTokens` includes reasoning), so each token is
 * billed exactly once at its own kind's price:
 *
 * ```
 * plain input  = prompt − cached − cacheWrite   at input
 * cached input = cached                         at cachedInput
 * cache writes = cacheWrite − cacheWrite1h       at cacheWrite
 * 1-hour writes = cacheWrite1h                  at cacheWrite1h
 * output       = completion − reasoning         at output
 * reasoning    = reasoning                      at reasoning (or output when the price has none)
 * ```
 *
 * A call the provider reports served on a processing tier (`service_tier`) is billed at that tier's
 * prices; a tier without prices at standard prices when it is a discount (`flex`, `batch`), else at
 * {@link UNPRICED_TIER_FACTOR} × standard, so it is never understated.
 * A price with a long-context tier bills every token of a call at the tier's prices once the prompt
 * (cached reads and writes included) exceeds the tier's threshold, as Anthropic and OpenAI do.
 * Inconsistent figures from an upstream (more cached than prompt tokens) are clamped, never billed twice.
 */
import type { Usage } from "../streams/types.ts";
import type { Price, TierPrice } from "./pricing.ts";

/** The cost of a call per token kind, in EUR. */
export interface CostParts {
  input: number;
  cached: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
  total: number;
}

const PER = 1_000_000;

/** Rounds EUR to 1e-12 (a pico-euro): exact decimal results, no float noise, no visible loss. */
export function roundEur(eur: number): number {
  return Math.round(eur * 1e12) / 1e12;
}

/** The cost of `usage` at `price`, per token kind (each part rounded with `roundEur`). */
export function costParts(usage: Usage, price: Price): CostParts {
  const prompt = Math.max(0, usage.promptTokens);
  const tier = pricesFor(price, { prompt, serviceTier: usage.serviceTier });
  const cached = clamp(usage.cachedTokens, prompt);
  const cacheWrite = clamp(usage.cacheWriteTokens, prompt - cached);
  const hour = clamp(usage.cacheWrite1hTokens ?? 0, cacheWrite);
  const plain = prompt - cached - cacheWrite;
  const completion = Math.max(0, usage.completionTokens);
  const reasoning = price.reasoning === null ? 0 : clamp(usage.reasoningTokens, completion);
  const parts = {
    input: roundEur((plain * tier.input) / PER),
    cached: roundEur((cached * tier.cachedInput) / PER),
    cacheWrite: roundEur(((cacheWrite - hour) * tier.cacheWrite + hour * tier.cacheWrite1h) / PER),
    output: roundEur(((completion - reasoning) * tier.output) / PER),
    reasoning: roundEur((reasoning * (price.reasoning ?? tier.output)) / PER),
  };
  const total = roundEur(parts.input + parts.cached + parts.cacheWrite + parts.output + parts.reasoning);
  return { ...parts, total };
}

/** Names of the standard processing tier. */
const STANDARD_TIERS = new Set(["default", "standard", "auto"]);
/** Processing tiers that cost less than the standard one: billed at standard prices unless priced. */
const DISCOUNT_TIERS = new Set(["flex", "batch"]);
/**
 * A reported tier without its own prices (`priority` on a model the table has no priority price for)
 * costs this much more than standard: the highest ratio OpenAI lists (gpt-5.5 priority is 2.5 ×).
 */
export const UNPRICED_TIER_FACTOR = 2.5;

/** The prices a call is billed at: its service tier's, else its long-context tier's, else the base. */
export function pricesFor(
  price: Price,
  call: { prompt: number; serviceTier?: string | undefined },
): TierPrice {
  const base = price.long !== null && call.prompt > price.long.above ? price.long : price;
  const name = call.serviceTier;
  if (name === undefined || STANDARD_TIERS.has(name)) return base;
  const own = price.tiers?.[name];
  if (own !== undefined) return own;
  if (DISCOUNT_TIERS.has(name)) return base;
  const f = UNPRICED_TIER_FACTOR;
  return {
    input: base.input * f,
    cachedInput: base.cachedInput * f,
    output: base.output * f,
    cacheWrite: base.cacheWrite * f,
    cacheWrite1h: base.cacheWrite1h * f,
  };
}

/** The cost of `usage` at `price` in EUR. */
export function costOf(usage: Usage, price: Price): number {
  return costParts(usage, price).total;
}

function clamp(n: number, max: number): number {
  return Math.min(Math.max(0, n), Math.max(0, max));
}

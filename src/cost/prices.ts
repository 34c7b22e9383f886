/**
 * The shipped price table: list prices in USD per 1M tokens of the OpenAI API (standard tier; Azure
 * OpenAI Global deployments bill the same list prices) and the Anthropic API, converted to EUR at
 * {@link USD_TO_EUR}. Prices change: `pricing.models` in the config overrides any entry, and
 * `pricing.defaults: false` drops this table altogether.
 *
 * - Prices: vendor list prices as published on the vendors' pricing pages (checked up to
 *   {@link PRICES_AS_OF}); regional, data-zone and provisioned Azure deployments cost more — configure them.
 * - Rate: 1 USD = 0.86 EUR (EUR/USD ≈ 1.163), a planning rate near the ECB reference rates of late 2025,
 *   not the fixing of one day. Set your own prices for figures that must match an invoice in EUR.
 * - Keys are exact names or globs; the most specific match wins, so `gpt-4o-mini*` beats `gpt-4o*`.
 *   Families are spelled out rather than caught by a broad glob, so a new model gets the fallback price
 *   and a warning instead of a silent guess.
 * @module
 */
import type { ModelPriceConfig } from "../config/types.ts";

/** EUR per USD used to convert the shipped list prices. */
export const USD_TO_EUR = 0.86;
/** Date the shipped prices were last checked. */
export const PRICES_AS_OF = "2026-11-01";

/** USD per 1M tokens: input, cached input, output, and (Anthropic) cache writes. */
type Usd = readonly [input: number, cached: number, output: number, cacheWrite?: number];

const OPENAI: Record<string, Usd> = {
  "gpt-4o": [2.5, 1.25, 10],
  "gpt-4o-2024-08-06": [2.5, 1.25, 10],
  "gpt-4o-2024-11-20": [2.5, 1.25, 10],
  "gpt-4o-2024-05-13": [5, 5, 15],
  "gpt-4o-mini*": [0.15, 0.075, 0.6],
  "gpt-4.1": [2, 0.5, 8],
  "gpt-4.1-2025*": [2, 0.5, 8],
  "gpt-4.1-mini*": [0.4, 0.1, 1.6],
  "gpt-4.1-nano*": [0.1, 0.025, 0.4],
  "o1": [15, 7.5, 60],
  "o1-2024*": [15, 7.5, 60],
  "o1-mini*": [1.1, 0.55, 4.4],
  "o1-pro*": [150, 150, 600],
  "o3": [2, 0.5, 8],
  "o3-2025*": [2, 0.5, 8],
  "o3-mini*": [1.1, 0.55, 4.4],
  "o3-pro*": [20, 20, 80],
  "o4-mini*": [1.1, 0.275, 4.4],
  "gpt-5": [1.25, 0.125, 10],
  "gpt-5-2025*": [1.25, 0.125, 10],
  "gpt-5-chat*": [1.25, 0.125, 10],
  "gpt-5-codex*": [1.25, 0.125, 10],
  "gpt-5-mini*": [0.25, 0.025, 2],
  "gpt-5-nano*": [0.05, 0.005, 0.4],
  "gpt-5-pro*": [15, 15, 120],
  "gpt-5.1": [1.25, 0.125, 10],
  "gpt-5.1-2025*": [1.25, 0.125, 10],
  "gpt-5.1-chat*": [1.25, 0.125, 10],
  "gpt-5.1-codex": [1.25, 0.125, 10],
  "gpt-5.4": [2.5, 0.25, 15],
  "gpt-5.4-mini*": [0.75, 0.075, 4.5],
  "gpt-5.4-nano*": [0.2, 0.02, 1.25],
  "gpt-5.4-pro*": [30, 30, 180],
  "gpt-5.5": [5, 0.5, 30],
  "gpt-5.5-pro*": [30, 30, 180],
  "text-embedding-3-small": [0.02, 0.02, 0],
  "text-embedding-3-large": [0.13, 0.13, 0],
  "text-embedding-ada-002": [0.1, 0.1, 0],
};

const ANTHROPIC: Record<string, Usd> = {
  "claude-opus-4-0*": [15, 1.5, 75, 18.75],
  "claude-opus-4-1*": [15, 1.5, 75, 18.75],
  "claude-opus-4-2025*": [15, 1.5, 75, 18.75],
  "claude-opus-4-5*": [5, 0.5, 25, 6.25],
  "claude-opus-4-6*": [5, 0.5, 25, 6.25],
  "claude-opus-4-7*": [5, 0.5, 25, 6.25],
  "claude-opus-4-8*": [5, 0.5, 25, 6.25],
  "claude-sonnet-4-0*": [3, 0.3, 15, 3.75],
  "claude-sonnet-4-2025*": [3, 0.3, 15, 3.75],
  "claude-sonnet-4-5*": [3, 0.3, 15, 3.75],
  "claude-haiku-4-5*": [1, 0.1, 5, 1.25],
  "claude-3-5-haiku*": [0.8, 0.08, 4, 1],
  "claude-3-7-sonnet*": [3, 0.3, 15, 3.75],
};

/** USD per 1M tokens of a model found nowhere: a flagship-level price, so unknown spend is not understated. */
const FALLBACK: Usd = [5, 0.5, 30];

/** Converts a USD price to EUR, rounded to 6 decimals so the table holds no float noise. */
export function usdToEur(usd: number): number {
  return Math.round(usd * USD_TO_EUR * 1e6) / 1e6;
}

function eur([input, cached, output, cacheWrite]: Usd): ModelPriceConfig {
  const price: ModelPriceConfig = {
    input: usdToEur(input),
    cachedInput: usdToEur(cached),
    output: usdToEur(output),
  };
  if (cacheWrite !== undefined) price.cacheWrite = usdToEur(cacheWrite);
  return price;
}

/** The shipped table in EUR per 1M tokens, by model name or glob. */
export function defaultModelPrices(): Record<string, ModelPriceConfig> {
  const out: Record<string, ModelPriceConfig> = {};
  for (const [name, usd] of Object.entries({ ...OPENAI, ...ANTHROPIC })) out[name] = eur(usd);
  return out;
}

/** The shipped fallback price in EUR per 1M tokens. */
export function defaultFallbackPrice(): ModelPriceConfig {
  return eur(FALLBACK);
}

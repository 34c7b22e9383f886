/**
 * The shipped price table: list prices in USD per 1M tokens of the OpenAI API (standard tier; Azure
 * OpenAI Global deployments bill the same list prices) and the Anthropic API, converted to EUR at
 * {@link USD_TO_EUR}. Every row names its source and the date it was read ({@link priceSource}); rows whose
 * price was not found on the provider's own pages say so. `pricing.models` in the config overrides any
 * entry, and `pricing.defaults: false` drops this table altogether.
 *
 * - Not modelled: Azure regional and data-zone deployments, provisioned throughput, batch, flex processing
 *   (billed at standard, never understated) and Anthropic's `inference_geo` uplift — configure them.
 * - Long-context tiers (every token of a call whose prompt passes the threshold), Anthropic 1-hour cache
 *   writes and OpenAI priority processing (where its page lists a price) are modelled; a dated snapshot
 *   (`gpt-5.4-2026-03-05`) is priced as its family.
 * - Rate: 1 USD = 0.86 EUR (EUR/USD ≈ 1.163), a planning rate near the ECB reference rates of late 2025,
 *   not the fixing of one day. Set your own prices for figures that must match an invoice in EUR.
 * - The fallback — the price of a model found nowhere — is the highest price of the table per token kind,
 *   so an unknown model is never understated.
 * @module
 */
import type { ModelPriceConfig } from "../config/types.ts";

/** EUR per USD used to convert the shipped list prices. */
export const USD_TO_EUR = 0.86;
/** Date the shipped prices were last checked. */
export const PRICES_AS_OF = "2026-12-04";

/** USD per 1M tokens: input, cached input, output, and (Anthropic) 5-minute and 1-hour cache writes. */
type Usd = readonly [
  input: number,
  cached: number,
  output: number,
  cacheWrite?: number,
  cacheWrite1h?: number,
];

/** Where a row's price was read. */
const SOURCES = {
  thirdParty:
    "not on a provider page stored here: third-party tables quoting developers.openai.com/api/docs/pricing (benchlm.ai, morphllm.com, github/docs Copilot models table)",
  openaiModel: "https://developers.openai.com/api/docs/models (model page, standard tier)",
  openaiPriority:
    "https://openai.com/api-priority-processing lists priority at 2 × these standard rates; the standard page itself is not stored here",
  openaiOld: "https://developers.openai.com/api/docs/pricing (as checked 2026-11-01; not re-read)",
  anthropic: "https://platform.claude.com/docs/en/about-claude/pricing",
  anthropicModel: "https://platform.claude.com/docs/en/models (model overview page)",
  anthropicNoCache:
    "https://platform.claude.com/docs/en/models (input/output); cache prices not found: standard 0.1× / 1.25× / 2× multipliers",
  anthropicTier:
    "https://platform.claude.com/docs/en/models ('from $0.10 / $0.50'); the > 100K tier is not on a provider page stored here (third-party release notes)",
} as const;

interface Row {
  usd: Usd;
  source: keyof typeof SOURCES;
  checked: string;
  /** Long-context tier: above this many prompt tokens, every token at these prices. */
  long?: { above: number; usd: Usd };
  /** Priority processing (`service_tier: "priority"`), from {@link PRIORITY_SOURCE}. */
  priority?: Usd;
}

/** Where the shipped priority prices come from (read 2026-12-04). */
export const PRIORITY_SOURCE = "https://openai.com/api-priority-processing";

const C = "2026-12-04";
const OLD = "2026-11-01";
const row = (usd: Usd, source: keyof typeof SOURCES, checked = C, long?: Row["long"]): Row =>
  long === undefined ? { usd, source, checked } : { usd, source, checked, long };

const withPriority = (r: Row, usd: Usd): Row => ({ ...r, priority: usd });

const OPENAI: Record<string, Row> = {
  "gpt-4o": row([2.5, 1.25, 10], "openaiOld", OLD),
  "gpt-4o-2024-05-13": row([5, 5, 15], "openaiOld", OLD),
  "gpt-4o-mini*": row([0.15, 0.075, 0.6], "openaiOld", OLD),
  "gpt-4.1": withPriority(row([2, 0.5, 8], "openaiOld", OLD), [3.5, 0.875, 14]),
  "gpt-4.1-mini*": row([0.4, 0.1, 1.6], "openaiOld", OLD),
  "gpt-4.1-nano*": row([0.1, 0.025, 0.4], "openaiOld", OLD),
  "o1": row([15, 7.5, 60], "openaiOld", OLD),
  "o1-mini*": row([1.1, 0.55, 4.4], "openaiOld", OLD),
  "o1-pro*": row([150, 150, 600], "openaiOld", OLD),
  "o3": row([2, 0.5, 8], "openaiOld", OLD),
  "o3-mini*": row([1.1, 0.55, 4.4], "openaiOld", OLD),
  "o3-pro*": row([20, 20, 80], "openaiOld", OLD),
  "o4-mini*": row([1.1, 0.275, 4.4], "openaiOld", OLD),
  "gpt-5": withPriority(row([1.25, 0.125, 10], "openaiPriority"), [2.5, 0.25, 20]),
  "gpt-5-chat*": row([1.25, 0.125, 10], "openaiOld", OLD),
  "gpt-5-codex*": withPriority(row([1.25, 0.125, 10], "openaiModel"), [2.5, 0.25, 20]),
  "gpt-5-mini*": withPriority(row([0.25, 0.025, 2], "openaiOld", OLD), [0.45, 0.045, 3.6]),
  "gpt-5-nano*": row([0.05, 0.005, 0.4], "openaiOld", OLD),
  "gpt-5-pro*": row([15, 15, 120], "openaiOld", OLD),
  "gpt-5.1": withPriority(row([1.25, 0.125, 10], "openaiPriority"), [2.5, 0.25, 20]),
  "gpt-5.1-chat*": row([1.25, 0.125, 10], "openaiOld", OLD),
  "gpt-5.1-codex": withPriority(row([1.25, 0.125, 10], "openaiPriority"), [2.5, 0.25, 20]),
  "gpt-5.1-codex-max*": row([1.25, 0.125, 10], "thirdParty"),
  "gpt-5.2": withPriority(row([1.75, 0.175, 14], "openaiPriority"), [3.5, 0.35, 28]),
  "gpt-5.2-codex*": row([1.75, 0.175, 14], "thirdParty"),
  "gpt-5.2-pro*": row([21, 21, 168], "thirdParty"),
  "gpt-5.3-codex*": row([1.75, 0.175, 14], "thirdParty"),
  "gpt-5.4": withPriority(
    row([2.5, 0.25, 15], "openaiPriority", C, { above: 272_000, usd: [5, 0.5, 22.5] }),
    [5, 0.5, 30],
  ),
  "gpt-5.4-mini*": withPriority(row([0.75, 0.075, 4.5], "openaiPriority"), [1.5, 0.15, 9]),
  "gpt-5.4-nano*": row([0.2, 0.02, 1.25], "thirdParty"),
  "gpt-5.4-pro*": row([30, 30, 180], "thirdParty"),
  "gpt-5.5": withPriority(row([5, 0.5, 30], "thirdParty", C, { above: 272_000, usd: [10, 1, 45] }), [
    12.5,
    1.25,
    75,
  ]),
  "gpt-5.5-pro*": row([30, 30, 180], "thirdParty"),
  "text-embedding-3-small": row([0.02, 0.02, 0], "openaiOld", OLD),
  "text-embedding-3-large": row([0.13, 0.13, 0], "openaiOld", OLD),
  "text-embedding-ada-002": row([0.1, 0.1, 0], "openaiOld", OLD),
};

const OPUS_4: Usd = [15, 1.5, 75, 18.75, 30];
const OPUS_45: Usd = [5, 0.5, 25, 6.25, 10];
const SONNET_4: Usd = [3, 0.3, 15, 3.75, 6];
const SONNET_4_LONG = { above: 200_000, usd: [6, 0.6, 22.5, 7.5, 12] as Usd };
const SONNET_5: Usd = [2, 0.2, 10, 2.5, 4];
const FABLE: Usd = [10, 1, 50, 12.5, 20];

const ANTHROPIC: Record<string, Row> = {
  "claude-opus-4": row(OPUS_4, "anthropic"),
  "claude-opus-4-0*": row(OPUS_4, "anthropic"),
  "claude-opus-4-1*": row(OPUS_4, "anthropic"),
  "claude-opus-4-5*": row(OPUS_45, "anthropic"),
  "claude-opus-4-6*": row(OPUS_45, "anthropic"),
  "claude-opus-4-7*": row(OPUS_45, "anthropic"),
  "claude-opus-4-8*": row(OPUS_45, "anthropic"),
  "claude-opus-5": row(OPUS_45, "anthropic"),
  "claude-opus-5-5*": row([4, 0.4, 20, 5, 8], "anthropicNoCache"),
  "claude-sonnet-4": row(SONNET_4, "anthropic", C, SONNET_4_LONG),
  "claude-sonnet-4-0*": row(SONNET_4, "anthropic", C, SONNET_4_LONG),
  "claude-sonnet-4-5*": row(SONNET_4, "anthropic", C, SONNET_4_LONG),
  "claude-sonnet-4-6*": row(SONNET_4, "anthropic"),
  "claude-3-7-sonnet*": row(SONNET_4, "anthropic"),
  "claude-sonnet-5": row(SONNET_5, "anthropicModel"),
  "claude-sonnet-5-5*": row(SONNET_5, "anthropicModel"),
  "claude-haiku-4-5*": row([1, 0.1, 5, 1.25, 2], "anthropic"),
  "claude-haiku-5-5*": row([0.1, 0.01, 0.5, 0.125, 0.2], "anthropicTier", C, {
    above: 100_000,
    usd: [0.5, 0.05, 2.5, 0.625, 1],
  }),
  "claude-3-5-haiku*": row([0.8, 0.08, 4, 1, 1.6], "anthropic"),
  "claude-3-haiku*": row([0.25, 0.03, 1.25, 0.3, 0.5], "anthropic"),
  "claude-fable-5": row(FABLE, "anthropic"),
  "claude-fable-5-1*": row([10, 0.25, 50, 12.5, 20], "anthropic"),
  "claude-mythos-5": row(FABLE, "anthropic"),
  "claude-mythos-5-1*": row([10, 0.25, 50, 12.5, 20], "anthropic"),
};

/** Converts a USD price to EUR, rounded to 6 decimals so the table holds no float noise. */
export function usdToEur(usd: number): number {
  return Math.round(usd * USD_TO_EUR * 1e6) / 1e6;
}

function eur([input, cached, output, cacheWrite, cacheWrite1h]: Usd): ModelPriceConfig {
  const price: ModelPriceConfig = {
    input: usdToEur(input),
    cachedInput: usdToEur(cached),
    output: usdToEur(output),
  };
  if (cacheWrite !== undefined) price.cacheWrite = usdToEur(cacheWrite);
  if (cacheWrite1h !== undefined) price.cacheWrite1h = usdToEur(cacheWrite1h);
  return price;
}

function all(): Record<string, Row> {
  return { ...OPENAI, ...ANTHROPIC };
}

/** The shipped table in EUR per 1M tokens, by model name or glob. */
export function defaultModelPrices(): Record<string, ModelPriceConfig> {
  const out: Record<string, ModelPriceConfig> = {};
  for (const [name, r] of Object.entries(all())) {
    const price = eur(r.usd);
    if (r.long !== undefined) {
      const l = eur(r.long.usd);
      price.longContext = { above: r.long.above, ...l };
    }
    if (r.priority !== undefined) price.serviceTiers = { priority: eur(r.priority) };
    out[name] = price;
  }
  return out;
}

/** Where a shipped row's price comes from and when it was read, or `null` for a name not in the table. */
export function priceSource(key: string): { source: string; checked: string } | null {
  const r = all()[key];
  return r === undefined ? null : { source: SOURCES[r.source], checked: r.checked };
}

/**
 * The shipped fallback price in EUR per 1M tokens: the highest of the table per token kind (long-context
 * tiers included), cache writes at 1.25 × and 2 × that input, so a model found nowhere is never understated.
 */
export function defaultFallbackPrice(): ModelPriceConfig {
  let [input, cached, output] = [0, 0, 0];
  for (const r of Object.values(all())) {
    for (const usd of r.long ? [r.usd, r.long.usd] : [r.usd]) {
      input = Math.max(input, usd[0]);
      cached = Math.max(cached, usd[1]);
      output = Math.max(output, usd[2]);
    }
  }
  return eur([input, cached, output, input * 1.25, input * 2]);
}

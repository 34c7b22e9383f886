/**
 * The price table the gateway bills with: the configured `pricing.models` over the shipped defaults,
 * looked up by a call's deployment, public model and reported model — exact names first, then the most
 * specific glob. A model found nowhere gets the fallback price and one warning, never a silent zero.
 */
import type { ModelPriceConfig, PricingConfig } from "../config/types.ts";
import { matchGlob } from "../governance/policy.ts";
import { defaultFallbackPrice, defaultModelPrices, PRICES_AS_OF } from "./prices.ts";

/** A resolved price in EUR per 1M tokens, every kind filled. */
export interface Price {
  input: number;
  cachedInput: number;
  output: number;
  /** Price of reasoning tokens, or `null` to bill them as output. */
  reasoning: number | null;
  cacheWrite: number;
}

/** The outcome of a lookup: the price and the table key it came from (`null` for the fallback). */
export interface PriceMatch {
  price: Price;
  key: string | null;
}

/** Anthropic bills 5-minute cache writes at 1.25 × the input price. */
const CACHE_WRITE_FACTOR = 1.25;
const MAX_CACHED = 10_000;

/** Fills the optional kinds of a configured price. */
export function resolvePrice(p: ModelPriceConfig): Price {
  return {
    input: p.input,
    cachedInput: p.cachedInput ?? p.input,
    output: p.output,
    reasoning: p.reasoning ?? null,
    cacheWrite: p.cacheWrite ?? Math.round(p.input * CACHE_WRITE_FACTOR * 1e6) / 1e6,
  };
}

/** The pricing config of a config that has none: the shipped table. */
export function defaultPricing(): PricingConfig {
  return {
    currency: "EUR",
    asOf: PRICES_AS_OF,
    defaults: true,
    models: {},
    fallback: defaultFallbackPrice(),
  };
}

interface Glob {
  glob: string;
  price: Price;
  /** Literal characters: more means more specific. */
  weight: number;
}

/** Looks up prices; results are cached per name triple. */
export class PriceTable {
  readonly #exact = new Map<string, Price>();
  readonly #globs: Glob[] = [];
  readonly #fallback: Price;
  readonly #warn: (message: string) => void;
  readonly #warned = new Set<string>();
  readonly #cache = new Map<string, PriceMatch>();
  /** Date the prices were checked, for reports. */
  readonly asOf: string;

  /** Builds the table of `pricing` (default: the shipped one); `warn` reports unknown models once each. */
  constructor(pricing: PricingConfig | undefined, options: { warn?: (message: string) => void } = {}) {
    const p = pricing ?? defaultPricing();
    this.asOf = p.asOf ?? PRICES_AS_OF;
    this.#warn = options.warn ?? (() => {});
    this.#fallback = resolvePrice(p.fallback);
    const entries = { ...(p.defaults ? defaultModelPrices() : {}), ...p.models };
    for (const [name, config] of Object.entries(entries)) {
      const price = resolvePrice(config);
      if (/[*?]/.test(name)) {
        this.#globs.push({ glob: name, price, weight: name.replace(/[*?]/g, "").length });
      } else this.#exact.set(name, price);
    }
    // Stable sort: among equally specific globs, the configured (later) entry was spread last, so
    // configured globs are tried first by reversing before sorting.
    this.#globs.reverse().sort((a, b) => b.weight - a.weight);
  }

  /** The fallback price. */
  get fallback(): Price {
    return this.#fallback;
  }

  /**
   * The price of a call known by these names (deployment, public model, model the upstream reported),
   * in that order of preference; `quiet` skips the unknown-model warning (admission estimates).
   */
  lookup(names: readonly (string | null | undefined)[], options: { quiet?: boolean } = {}): PriceMatch {
    const cacheKey = names.map((n) => n ?? "").join("\u0000");
    let match = this.#cache.get(cacheKey);
    if (match === undefined) {
      match = this.#find(names);
      if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
      this.#cache.set(cacheKey, match);
    }
    if (match.key === null && !options.quiet) this.#unknown(names);
    return match;
  }

  #find(names: readonly (string | null | undefined)[]): PriceMatch {
    const given = names.filter((n): n is string => typeof n === "string" && n !== "");
    for (const name of given) {
      const price = this.#exact.get(name);
      if (price !== undefined) return { price, key: name };
    }
    for (const name of given) {
      for (const g of this.#globs) if (matchGlob(g.glob, name)) return { price: g.price, key: g.glob };
    }
    return { price: this.#fallback, key: null };
  }

  #unknown(names: readonly (string | null | undefined)[]): void {
    const name = names.find((n) => typeof n === "string" && n !== "") ?? "(none)";
    if (this.#warned.has(name)) return;
    this.#warned.add(name);
    const f = this.#fallback;
    this.#warn(
      `No price for model ${JSON.stringify(name)}: billing it at the fallback price of €${f.input} input ` +
        `and €${f.output} output per 1M tokens; add it under pricing.models`,
    );
  }
}

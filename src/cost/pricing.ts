/**
 * The price table the gateway bills with: the configured `pricing.models` over the shipped defaults,
 * looked up by the names of the target that served a call (deployment, its model) and the model the
 * upstream reported, in that order; for each name an exact entry, then the most specific glob, then its
 * family (a dated snapshot without its date). A model found nowhere gets the fallback price and one
 * warning, never a silent zero.
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
  /** Cache writes of the default (Anthropic: 5-minute) duration. */
  cacheWrite: number;
  /** Anthropic 1-hour cache writes. */
  cacheWrite1h: number;
  /** Prices of calls whose prompt exceeds `above` tokens (long-context tier), or `null`. */
  long: LongTier | null;
  /** Prices of calls served on a processing tier the provider reports (`priority`, `flex` …). */
  tiers?: Readonly<Record<string, TierPrice>>;
}

/** The prices of every token kind on one tier. */
export interface TierPrice {
  input: number;
  cachedInput: number;
  output: number;
  cacheWrite: number;
  cacheWrite1h: number;
}

/** The prices of a long-context tier: every token of a call over `above` prompt tokens. */
export interface LongTier extends TierPrice {
  above: number;
}

/** The outcome of a lookup: the price and the table key it came from (`null` for the fallback). */
export interface PriceMatch {
  price: Price;
  key: string | null;
}

/** Anthropic bills 5-minute cache writes at 1.25 × the input price and 1-hour writes at 2 ×. */
const CACHE_WRITE_FACTOR = 1.25;
const CACHE_WRITE_1H_FACTOR = 2;
const MAX_CACHED = 10_000;

/** Fills the optional kinds of a configured price. */
export function resolvePrice(p: ModelPriceConfig): Price {
  const l = p.longContext;
  const tiers = p.serviceTiers === undefined ? undefined : Object.fromEntries(
    Object.entries(p.serviceTiers).map(([name, t]) => [name, {
      input: t.input,
      cachedInput: t.cachedInput ?? t.input,
      output: t.output,
      cacheWrite: t.cacheWrite ?? times(t.input, CACHE_WRITE_FACTOR),
      cacheWrite1h: t.cacheWrite1h ?? times(t.input, CACHE_WRITE_1H_FACTOR),
    }]),
  );
  return {
    ...(tiers === undefined ? {} : { tiers }),
    input: p.input,
    cachedInput: p.cachedInput ?? p.input,
    output: p.output,
    reasoning: p.reasoning ?? null,
    cacheWrite: p.cacheWrite ?? times(p.input, CACHE_WRITE_FACTOR),
    cacheWrite1h: p.cacheWrite1h ?? times(p.input, CACHE_WRITE_1H_FACTOR),
    long: l === undefined ? null : {
      above: l.above,
      input: l.input,
      cachedInput: l.cachedInput ?? l.input,
      output: l.output,
      cacheWrite: l.cacheWrite ?? times(l.input, CACHE_WRITE_FACTOR),
      cacheWrite1h: l.cacheWrite1h ?? times(l.input, CACHE_WRITE_1H_FACTOR),
    },
  };
}

function times(eur: number, factor: number): number {
  return Math.round(eur * factor * 1e6) / 1e6;
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

/** A dated snapshot's family: `gpt-5.4-2026-03-05` → `gpt-5.4`, `claude-x-20250805` → `claude-x`. */
export function familyOf(name: string): string {
  return name.replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, "");
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
    // Each name in order of preference, exact before glob before its family: a glob on the serving
    // deployment's model beats an exact match on the name the client asked for.
    for (const name of names) {
      if (typeof name !== "string" || name === "") continue;
      const found = this.#one(name) ?? (familyOf(name) === name ? undefined : this.#one(familyOf(name)));
      if (found !== undefined) return found;
    }
    return { price: this.#fallback, key: null };
  }

  #one(name: string): PriceMatch | undefined {
    const price = this.#exact.get(name);
    if (price !== undefined) return { price, key: name };
    for (const g of this.#globs) if (matchGlob(g.glob, name)) return { price: g.price, key: g.glob };
    return undefined;
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

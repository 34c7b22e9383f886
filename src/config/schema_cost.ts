/**
 * Schema pieces of cost control: the `pricing` table (EUR per 1M tokens by model, deployment or glob,
 * over the shipped defaults) and the `budget` section (global daily cap, alert thresholds and webhook,
 * downshift to cheaper models). Per project and per key caps are `daily_cost_eur` policies.
 */
import { defaultFallbackPrice, PRICES_AS_OF } from "./prices.ts";
import {
  bool,
  child,
  def,
  type Field,
  int,
  list,
  oneOf,
  opt,
  record,
  refine,
  str,
} from "./schema_helpers.ts";
import { MODEL_GLOB, num } from "./schema_manage.ts";
import { mapping } from "./schema_routing.ts";
import { WEBHOOK_HEADERS, webhookUrl } from "./schema_webhook.ts";
import type {
  BudgetConfig,
  BudgetReserveConfig,
  DownshiftConfig,
  LongContextPriceConfig,
  ModelPriceConfig,
  PricingConfig,
  TierPriceConfig,
} from "./types.ts";

/** Defaults of the `budget` section. */
export const BUDGET_DEFAULTS = {
  alertThresholds: [0.8, 1.0],
  downshiftAt: 0.9,
  defaultMaxOutputTokens: 4096,
  reserve: { enforceMaxTokens: true, share: 0.01, minOutputTokens: 16 },
} as const;

const MODEL_KEY = /^[A-Za-z0-9*?._:/@-]{1,200}$/;
const MODEL_KEY_EXPECTED = 'a model name or glob such as "gpt-4o*"';

const eur = () => num(0, 1_000_000);

const LONG_CONTEXT: Field<LongContextPriceConfig> = record({
  above: int(1, 100_000_000),
  input: eur(),
  cached_input: opt(eur()),
  output: eur(),
  cache_write: opt(eur()),
  cache_write_1h: opt(eur()),
});

const TIER: Field<TierPriceConfig> = record({
  input: eur(),
  cached_input: opt(eur()),
  output: eur(),
  cache_write: opt(eur()),
  cache_write_1h: opt(eur()),
});

const SERVICE_TIERS: Field<Record<string, TierPriceConfig>> = refine(
  mapping(/^[a-z][a-z_]{0,31}$/, 'a service tier such as "priority" or "flex"', TIER),
  (entries) => Object.fromEntries(entries),
);

const PRICE: Field<ModelPriceConfig> = record({
  input: eur(),
  cached_input: opt(eur()),
  output: eur(),
  reasoning: opt(eur()),
  cache_write: opt(eur()),
  cache_write_1h: opt(eur()),
  long_context: opt(LONG_CONTEXT),
  service_tiers: opt(SERVICE_TIERS),
});

/** The `pricing` section. */
export const PRICING: Field<PricingConfig> = refine(
  record({
    currency: def(oneOf(["EUR"]), "EUR"),
    as_of: opt(str(/^\d{4}-\d{2}-\d{2}$/, 'a date "YYYY-MM-DD"')),
    defaults: def(bool(), true),
    models: def(mapping(MODEL_KEY, MODEL_KEY_EXPECTED, PRICE), {}),
    fallback: opt(PRICE),
  }),
  (p): PricingConfig => ({
    currency: p.currency,
    asOf: p.asOf ?? PRICES_AS_OF,
    defaults: p.defaults,
    models: Object.fromEntries(p.models),
    fallback: p.fallback ?? defaultFallbackPrice(),
  }),
);

const WEBHOOK = record({ url: webhookUrl(false), headers: def(WEBHOOK_HEADERS, {}) });

const DOWNSHIFT: Field<DownshiftConfig> = {
  expected: 'a mapping of model names to cheaper ones, with "at"',
  read(value, path, issues) {
    const entries = mapping(MODEL_KEY, MODEL_KEY_EXPECTED, {
      expected: "a model name or a number",
      read: (v) => v,
    }).read(value, path, issues);
    if (entries === undefined) return undefined as unknown as DownshiftConfig;
    let at: number = BUDGET_DEFAULTS.downshiftAt;
    const models: Record<string, string> = {};
    for (const [name, v] of entries) {
      if (name === "at") at = num(0, 1).read(v, child(path, "at"), issues);
      else {
        const to = MODEL_GLOB.read(v, child(path, name), issues);
        if (to === name) issues.fail(child(path, name), `expected a model other than "${name}"`);
        models[name] = to;
      }
    }
    if (Object.keys(models).length === 0) {
      issues.fail(path, 'expected at least one "model: cheaper model" entry');
    }
    return { at, models };
  },
};

const RESERVE: Field<BudgetReserveConfig> = record({
  enforce_max_tokens: def(bool(), BUDGET_DEFAULTS.reserve.enforceMaxTokens),
  share: def(num(0.001, 1), BUDGET_DEFAULTS.reserve.share),
  min_output_tokens: def(int(1, 100_000_000), BUDGET_DEFAULTS.reserve.minOutputTokens),
});

/** The `budget` section. */
export const BUDGET: Field<BudgetConfig> = refine(
  record({
    daily_eur: opt(num(0, 1_000_000_000)),
    alert_thresholds: def(list(num(0.01, 10)), BUDGET_DEFAULTS.alertThresholds),
    webhook: opt(WEBHOOK),
    downshift: opt(DOWNSHIFT),
    default_max_output_tokens: def(int(1, 100_000_000), BUDGET_DEFAULTS.defaultMaxOutputTokens),
    reserve: def(RESERVE, {}),
  }),
  (b): BudgetConfig => {
    const out: BudgetConfig = {
      alertThresholds: [...new Set(b.alertThresholds)].sort((x, y) => x - y),
      defaultMaxOutputTokens: b.defaultMaxOutputTokens,
      reserve: b.reserve,
    };
    if (b.dailyEur !== undefined) out.dailyEur = b.dailyEur;
    if (b.webhook !== undefined) out.webhook = b.webhook;
    if (b.downshift !== undefined) out.downshift = b.downshift;
    return out;
  },
);

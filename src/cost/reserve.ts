/**
 * The reservation of a call: an upper bound of what it can cost on any target that may serve it.
 *
 * - Price: per token kind, the highest price among the candidate targets (each looked up by its
 *   deployment, then its model); input at the cache-write price when the body asks for caching
 *   (`cache_control`), at the 1-hour price when it asks for `"ttl": "1h"`; a long-context tier when the
 *   prompt bound passes its threshold; a processing tier's prices when the body asks for one
 *   (`service_tier: "priority"`).
 * - Tokens: the prompt bound and output bound of `bound.ts`.
 * - Output when the client sets no maximum: `default_max_output_tokens`, but under a cap at most `share`
 *   of what is left of the tightest cap (never below `min_output_tokens`, never more than what is left),
 *   and with `enforce_max_tokens` the gateway sets the upstream's maximum to it, so the bound holds.
 */
import { BUDGET_DEFAULTS } from "../config/schema_cost.ts";
import type { BudgetConfig } from "../config/types.ts";
import type { Usage } from "../streams/types.ts";
import { choicesOf, imageTokens, maxField, requestedMax, scanPrompt } from "./bound.ts";
import { costOf, pricesFor } from "./calculator.ts";
import type { PriceTable } from "./pricing.ts";

/** A target that may serve a call: its deployment name and the model it runs. */
export interface ServingTarget {
  deployment: string;
  model: string;
}

/** How output is bounded when the client sets no maximum (`budget.reserve`). */
export interface ReserveSettings {
  /** Output tokens reserved per choice when the client names none. */
  defaultMaxOutput: number;
  /** Fraction of the tightest cap's headroom one such call may reserve. */
  share: number;
  /** Floor of the share rule, in tokens. */
  minOutput: number;
  /** Set the upstream's maximum to the reserved output when a cap applies. */
  enforce: boolean;
}

/** The settings of `budget` (defaults without one). */
export function reserveSettings(budget: BudgetConfig | undefined): ReserveSettings {
  return {
    defaultMaxOutput: budget?.defaultMaxOutputTokens ?? BUDGET_DEFAULTS.defaultMaxOutputTokens,
    share: budget?.reserve?.share ?? BUDGET_DEFAULTS.reserve.share,
    minOutput: budget?.reserve?.minOutputTokens ?? BUDGET_DEFAULTS.reserve.minOutputTokens,
    enforce: budget?.reserve?.enforceMaxTokens ?? BUDGET_DEFAULTS.reserve.enforceMaxTokens,
  };
}

/** What admission holds for a call. */
export interface ReservePlan {
  eur: number;
  usage: Usage;
  /** Output tokens reserved per choice. */
  perChoice: number;
  /** Body fields the gateway sets (the output maximum), or `null`. */
  set: Record<string, number> | null;
}

/** The candidates' names to price by, best first; the requested name when no target is known. */
function candidates(model: string | null, targets: readonly ServingTarget[] | undefined): string[][] {
  if (targets !== undefined && targets.length > 0) return targets.map((t) => [t.deployment, t.model]);
  return [[model ?? ""]];
}

/**
 * Plans the reservation of a request; `headroom` is what is left of the tightest cap in EUR (`null`
 * without a cap). The caller refuses the call when the plan's `eur` does not fit its caps.
 */
export function planReservation(
  request: { model: string | null; operation: string; body: Record<string, unknown> | null | undefined },
  options: {
    prices: PriceTable;
    settings: ReserveSettings;
    headroom: number | null;
    targets?: readonly ServingTarget[] | undefined;
  },
): ReservePlan {
  const { body, operation } = request;
  const names = candidates(request.model, options.targets);
  const models = names.map((n) => n[n.length - 1]!);
  const scan = scanPrompt(body);
  const prompt = scan.tokens + scan.images * Math.max(...models.map(imageTokens));
  const { caching, hour } = scan;
  // A call that asks for a processing tier may be billed at it (the upstream reports what it served).
  const serviceTier = typeof body?.service_tier === "string" ? body.service_tier : undefined;
  let input = 0;
  let output = 0;
  for (const n of names) {
    const p = options.prices.lookup(n, { quiet: true }).price;
    const t = pricesFor(p, { prompt, serviceTier });
    input = Math.max(input, t.input, caching ? (hour ? t.cacheWrite1h : t.cacheWrite) : 0);
    output = Math.max(output, t.output, p.reasoning ?? 0);
  }
  const choices = choicesOf(body);
  const asked = requestedMax(body);
  const promptEur = (prompt * input) / 1e6;
  let perChoice = operation === "embeddings" ? 0 : asked ?? options.settings.defaultMaxOutput;
  let set: Record<string, number> | null = null;
  if (asked === null && perChoice > 0 && options.headroom !== null) {
    const s = options.settings;
    const left = options.headroom - promptEur;
    const tokens = (eur: number) => output > 0 ? Math.floor((eur * 1e6) / output / choices) : perChoice;
    const share = Math.max(s.minOutput, tokens(s.share * left));
    // At least one token: a call that cannot pay for it is refused by the cap check.
    perChoice = Math.max(1, Math.min(perChoice, share, tokens(left)));
    const field = s.enforce ? maxField(operation, models) : null;
    if (field !== null) set = { [field]: perChoice };
  }
  const usage: Usage = {
    promptTokens: prompt,
    completionTokens: perChoice * choices,
    cachedTokens: 0,
    reasoningTokens: 0,
    totalTokens: prompt + perChoice * choices,
    cacheWriteTokens: 0,
  };
  const eur = costOf(usage, {
    input,
    cachedInput: input,
    output,
    reasoning: null,
    cacheWrite: input,
    cacheWrite1h: input,
    long: null,
  });
  return { eur, usage, perChoice, set };
}

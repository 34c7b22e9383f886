/**
 * The cost of a logged call: its `cost_eur` when the gateway wrote one, else (older logs) its usage
 * priced with the current table — flagged as repriced so reports can say so.
 */
import type { UsageJson } from "../logs/record.ts";
import type { Usage } from "../streams/types.ts";
import { costOf } from "./calculator.ts";
import type { PriceTable } from "./pricing.ts";
import type { LogMeta } from "./scan.ts";
import type { ScopeCaller } from "./scopes.ts";

/** A logged usage object back in the normalised shape (missing numbers count as 0). */
export function usageOfJson(u: UsageJson): Usage {
  const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  const usage: Usage = {
    promptTokens: n(u.prompt_tokens),
    completionTokens: n(u.completion_tokens),
    cachedTokens: n(u.cached_tokens),
    reasoningTokens: n(u.reasoning_tokens),
    totalTokens: n(u.total_tokens),
    cacheWriteTokens: n(u.cache_write_tokens),
  };
  if (n(u.cache_write_1h_tokens) > 0) usage.cacheWrite1hTokens = n(u.cache_write_1h_tokens);
  if (typeof u.service_tier === "string") usage.serviceTier = u.service_tier;
  return usage;
}

/** The cost of a logged call in EUR, and whether it was priced now rather than logged. */
export function loggedCost(meta: LogMeta, prices: PriceTable): { eur: number; repriced: boolean } {
  if (typeof meta.cost_eur === "number" && Number.isFinite(meta.cost_eur)) {
    return { eur: meta.cost_eur, repriced: false };
  }
  if (meta.usage === null || typeof meta.usage !== "object") return { eur: 0, repriced: false };
  const { price } = prices.lookup([meta.deployment, meta.model]);
  return { eur: costOf(usageOfJson(meta.usage), price), repriced: true };
}

/** The caller of a logged call, for its spend scopes. */
export function callerOfMeta(meta: LogMeta): ScopeCaller | null {
  const c = meta.caller;
  if (c === null || typeof c !== "object") return null;
  return { keyId: c.key_id ?? null, project: c.project ?? null, tokenId: c.token_id ?? null };
}

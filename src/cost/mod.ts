/**
 * Cost control: prices (EUR per 1M tokens, per token kind), the cost of each call, daily caps per
 * gateway, project, key and token with reservations in flight, alerts, downshift, the spend ledger
 * rebuilt from today's logs at start, and cost reports over the logs.
 *
 * ```ts
 * import { createCostControl } from "./src/cost/mod.ts";
 * const cost = createCostControl(config, { now, fetch, warn });
 * await cost.rebuild(config.logs.dir);                         // at start, before serving
 * // per request, after policy and rate limit:
 * const admission = cost.admit(caller, { model, body, operation }); // 429 daily_cost_cap_exceeded
 * const model = admission.downshiftTo ?? requestedModel;
 * // in finalize, for every call that was admitted, before the record goes to the log:
 * const { costEur, estimated } = admission.settle(record); // for the record's costEur / costEstimated
 * ```
 *
 * @module
 */
export { type AlertOptions, type AlertPayload, BudgetAlerts } from "./alerts.ts";
export { costOf, type CostParts, costParts, roundEur } from "./calculator.ts";
export {
  type CostAdmission,
  type CostCaller,
  type CostControl,
  type CostControlDeps,
  type CostRequest,
  createCostControl,
  type Settlement,
} from "./control.ts";
export { nextDayStart, secondsUntilDayEnd } from "./day_end.ts";
export { costStage } from "./stage.ts";
export { admissionUsage, countTokens, estimateUsage, loadTokenizer, tokenizerReady } from "./estimate.ts";
export { type Reservation, type ScopeSpend, SpendLedger, todaySpend } from "./ledger.ts";
export { defaultModelPrices, PRICES_AS_OF, USD_TO_EUR } from "../config/prices.ts";
export {
  defaultPricing,
  familyOf,
  type LongTier,
  type Price,
  type PriceMatch,
  PriceTable,
  resolvePrice,
} from "./pricing.ts";
export { planReservation, type ReservePlan, type ReserveSettings, type ServingTarget } from "./reserve.ts";
export { rebuildLedger, type RebuildRates, type RebuildStats } from "./rebuild.ts";
export { loggedCost } from "./record_cost.ts";
export { type LogMeta, scanFiles, type ScanStats } from "./scan.ts";
export { callerScopes, GLOBAL_SCOPE, scopeLabel } from "./scopes.ts";

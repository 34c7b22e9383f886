/**
 * Cost control on the request path. `admit` runs after policy and rate limit: it refuses a caller whose
 * daily cap (gateway, project, key or token) is used up — settled spend plus reservations of calls in
 * flight — with 429 and `Retry-After` until the day ends, may route the model to a cheaper one past the
 * downshift threshold, and reserves the call's estimated cost (prompt + requested output, priced).
 * `settle` (in finalize, also for failed calls) swaps the reservation for the real cost, so concurrent
 * calls overspend a cap by at most the reservations in flight when it was reached.
 */
import type { Config } from "../config/types.ts";
import type { LimitScope } from "../governance/policy.ts";
import { DayClock } from "../logs/day.ts";
import type { CallCost, CallRecord } from "../core/record.ts";
import { GatewayError } from "../core/errors.ts";
import { type AlertOptions, BudgetAlerts } from "./alerts.ts";
import { costOf, roundEur } from "./calculator.ts";
import { dayFunction, nextDayStart } from "./day_end.ts";
import { isReasoningModel } from "./bound.ts";
import { billable, bodyOf, deploymentModels } from "./served.ts";
import { estimateUsage, loadTokenizer } from "./estimate.ts";
import type { Cap, SharedReservation, SpendCounters } from "./counters.ts";
import { type Reservation, type ScopeSpend, SpendLedger } from "./ledger.ts";
import { PriceTable } from "./pricing.ts";
import { planReservation, type ReservePlan, reserveSettings, type ServingTarget } from "./reserve.ts";
import { rebuildLedger, type RebuildRates, type RebuildStats, type RecordSource } from "./rebuild.ts";
import { callerScopes, formatEur, GLOBAL_SCOPE, type ScopeCaller, scopeLabel } from "./scopes.ts";

/** I/O of `createCostControl()`; every field has a real default. */
export interface CostControlDeps {
  /** Wall clock in epoch ms. */
  now?: () => number;
  /** Used for webhook alerts. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** App-log warnings: unknown models, alerts, undeliverable webhooks. */
  warn?: (message: string) => void;
  /** IANA zone of cost days; default `config.server.timezone`. */
  timezone?: string;
  /** Waits between webhook attempts. */
  sleep?: (ms: number) => Promise<void>;
  env?: (name: string) => string | undefined;
  readTextFile?: (path: string) => Promise<string>;
  /**
   * Count estimated tokens with `gpt-tokenizer` (default true). It loads on the first call that needs an
   * estimate, not at start: it holds ~55 MB, and most upstreams report usage. Estimates made while it loads
   * count four characters a token.
   */
  tokenizer?: boolean;
  /** Sends budget alerts to the event bus, which then delivers `budget.webhook`. */
  emit?: AlertOptions["emit"];
  /** Continue this ledger (today's spend and reservations) instead of starting an empty one: a reload. */
  ledger?: SpendLedger;
  /** Spend counters shared by replicas (Redis): caps are checked there, the local ledger is the fallback. */
  counters?: SpendCounters;
  /** Claims an alert across replicas (`true`: this replica sends it). */
  claimAlert?: (scope: string, day: string, threshold: number) => Promise<boolean>;
}

/** A caller as cost control sees it: who (for scopes) and, for governed callers, the per-scope caps. */
export interface CostCaller extends ScopeCaller {
  readonly policy?: {
    readonly scopes: readonly LimitScope[];
    /** The largest output the caller may ask for: what is reserved (and set) when it asks for none. */
    readonly maxTokens?: number | null;
  };
}

/** The request being admitted. */
export interface CostRequest {
  /** Model or deployment the request names. */
  model: string | null | undefined;
  /**
   * The targets that may serve a model (deployment and model of each); the reservation is priced at the
   * dearest of them. Absent or empty: the requested name is priced.
   */
  targetsOf?: (model: string) => readonly ServingTarget[];
  /** The parsed JSON body. */
  body?: Record<string, unknown> | null;
  /** `chat`, `completions`, `embeddings`, `responses`, `messages`. */
  operation: string;
}

/** The cost of a settled call, with the estimated usage when the upstream reported none. */
export type Settlement = CallCost;

/** An admitted call. */
export interface CostAdmission {
  /** EUR held for the call until it settles. */
  readonly reservationEur: number;
  /** The cheaper model to use instead of the requested one, past the downshift threshold. */
  readonly downshiftTo?: string;
  /** Body fields to set before the call goes upstream: the output maximum that was reserved. */
  readonly set?: Readonly<Record<string, number>>;
  /**
   * Books the real cost of the ended call (also failed or abandoned ones) and releases the reservation;
   * returns the cost (and, when estimated, the usage) for the record, which it leaves as it is. Call it
   * before the record goes to the request log. Later calls return the first result.
   */
  settle(record: CallRecord): Settlement;
}

/** Cost control of one gateway process. */
export interface CostControl {
  /** Admits a call or throws `GatewayError` 429 `daily_cost_cap_exceeded`. */
  admit(caller: CostCaller, request: CostRequest): CostAdmission;
  /** Like `admit`, through the shared counters when there are some (one round trip). */
  admitShared(caller: CostCaller, request: CostRequest): Promise<CostAdmission>;
  /** Whether caps are checked in shared counters. */
  readonly shared: boolean;
  /** Rebuilds today's spend from the logs into the shared counters unless they already have it. */
  reseed(logDir: string, source?: RecordSource): Promise<boolean>;
  /** Books a call that was never admitted (like `settle` without a reservation); idempotent per record. */
  sink(record: CallRecord): Settlement;
  /** Settled spend today of a scope (`global`, `project:demo`, `key:dev`, `token:…`); default global. */
  spendToday(scope?: string): number;
  /**
   * Books today's logged calls (call once at start, before serving); with `rates`, gathers the last rate
   * window's calls of this gateway in the same pass.
   */
  rebuild(logDir: string, source?: RecordSource, rates?: RebuildRates): Promise<RebuildStats>;
  readonly ledger: SpendLedger;
  readonly prices: PriceTable;
  /** Resolves when every shared booking and webhook alert started so far has finished or given up. */
  idle(): Promise<void>;
}

/** Builds cost control from `config.pricing` and `config.budget`. */
export function createCostControl(config: Config, deps: CostControlDeps = {}): CostControl {
  const now = deps.now ?? Date.now;
  const warn = deps.warn ?? (() => {});
  const budget = config.budget;
  const timezone = deps.timezone ?? config.server.timezone;
  const clock = new DayClock(timezone);
  const recordDays = new DayClock(timezone);
  const dayOf = dayFunction(timezone);
  const ledger = deps.ledger ?? new SpendLedger({ dayOf: (ms) => clock.dayOf(ms), now });
  const prices = new PriceTable(config.pricing, { warn });
  const alerts = new BudgetAlerts({
    thresholds: budget?.alertThresholds ?? [],
    webhook: budget?.webhook,
    warn,
    now,
    claim: (day, scope, threshold) => ledger.claimAlert(day, scope, threshold),
    ...(deps.claimAlert ? { sharedClaim: deps.claimAlert } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.env ? { env: deps.env } : {}),
    ...(deps.readTextFile ? { readTextFile: deps.readTextFile } : {}),
    ...(deps.emit ? { emit: deps.emit } : {}),
  });
  const counters = deps.counters;
  const bookings = new Set<Promise<void>>();
  const globalCap: Cap[] = budget?.dailyEur === undefined
    ? []
    : [{ scope: GLOBAL_SCOPE, cap: budget.dailyEur }];
  const reserve = reserveSettings(budget);
  const servedModel = deploymentModels(config);
  const downshift = budget?.downshift;
  const settled = new WeakMap<CallRecord, Settlement>();
  const perCaller = new WeakMap<object, { scopes: string[]; caps: Cap[] }>();
  let rebuilt = { day: "", spent: new Map<string, number>() };
  let dayEnd = { day: "", at: 0 };
  const tokenizer = deps.tokenizer ?? true;

  const scopesOf = (caller: CostCaller | null): { scopes: string[]; caps: Cap[] } => {
    if (caller === null) return { scopes: [GLOBAL_SCOPE], caps: globalCap };
    let found = perCaller.get(caller);
    if (found === undefined) {
      const scopes = callerScopes(caller);
      const caps = [...globalCap];
      for (const s of caller.policy?.scopes ?? []) {
        if (s.dailyCostEur === null) continue;
        caps.push({ scope: s.id, cap: s.dailyCostEur });
        if (!scopes.includes(s.id)) scopes.push(s.id);
      }
      found = { scopes, caps };
      perCaller.set(caller, found);
    }
    return found;
  };

  const retryAfter = (day: string): string => {
    const t = now();
    if (dayEnd.day !== day) dayEnd = { day, at: nextDayStart(t, dayOf) };
    return String(Math.max(1, Math.ceil((dayEnd.at - t) / 1000)));
  };

  const refuse = (
    cap: Cap,
    day: string,
    options: { need?: number; e?: Pick<ScopeSpend, "spent" | "reserved"> } = {},
  ): GatewayError => {
    const need = options.need;
    const e = options.e ?? ledger.get(cap.scope);
    const held = e.reserved > 0 && e.spent < cap.cap
      ? `, ${formatEur(e.reserved)} more reserved by calls in progress`
      : "";
    const why = need === undefined
      ? "reached"
      : `cannot hold this call (it may cost up to ${formatEur(need)})`;
    return new GatewayError(
      429,
      "daily_cost_cap_exceeded",
      `Daily cost cap of ${formatEur(cap.cap)} for ${scopeLabel(cap.scope)} ${why}: ` +
        `spent ${formatEur(e.spent)} today${held}`,
      { headers: { "retry-after": retryAfter(day) } },
    );
  };

  const checkAlerts = (
    day: string,
    caps: readonly Cap[],
    spentOf = (scope: string) => ledger.get(scope, day).spent,
  ): void => {
    for (const { scope, cap } of caps) {
      if (rebuilt.day === day && rebuilt.spent.has(scope)) {
        alerts.markSent(scope, { day, spent: rebuilt.spent.get(scope)!, cap });
        rebuilt.spent.delete(scope);
      }
      alerts.check(scope, { day, spent: spentOf(scope), cap });
    }
  };

  const bill = (
    record: CallRecord,
    who: { scopes: string[]; caps: Cap[] },
    options: {
      reservation: Reservation | null;
      body: Record<string, unknown> | null | undefined;
      plan?: ReservePlan;
      shared?: SharedReservation | null;
    },
  ): Settlement => {
    const done = settled.get(record);
    if (done !== undefined) return done;
    // Priced by the target that served the call, then the model the upstream reported; the name the
    // client asked for only when no upstream was reached.
    const model = servedModel(record.upstream, record.deployment);
    const names = record.deployment === null
      ? [record.model, record.assembled?.model]
      : [record.deployment, model, record.assembled?.model];
    let usage = record.usage;
    let estimated = false;
    if (usage === null && billable(record)) {
      if (tokenizer) void loadTokenizer();
      usage = estimateUsage(options.body !== undefined ? options.body : bodyOf(record), record.assembled);
      // Reasoning tokens are invisible in the text: bill what was reserved for the output, a bound.
      const bound = options.plan?.usage.completionTokens ?? 0;
      if (isReasoningModel(model ?? record.model ?? "") && bound > usage.completionTokens) {
        usage = { ...usage, completionTokens: bound, totalTokens: usage.promptTokens + bound };
      }
      estimated = true;
    }
    const costEur = usage === null ? 0 : costOf(usage, prices.lookup(names).price);
    if (options.reservation !== null) ledger.release(options.reservation);
    const day = recordDays.dayOf(Date.parse(record.ts) || now());
    if (counters !== undefined) {
      const booked = counters.settle(options.shared ?? null, { day, scopes: who.scopes, eur: costEur });
      ledger.add(day, who.scopes, costEur);
      // Tracked even at zero cost: the release of the reservation must reach Redis before shutdown.
      const p = booked.then((spent) => {
        if (spent !== null && costEur > 0) checkAlerts(day, who.caps, (s) => spent[s] ?? 0);
      }).finally(() => bookings.delete(p));
      bookings.add(p);
    } else if (ledger.add(day, who.scopes, costEur) && costEur > 0) checkAlerts(day, who.caps);
    const result: Settlement = estimated && usage !== null
      ? { costEur, estimated, usage }
      : { costEur, estimated };
    settled.set(record, result);
    return result;
  };

  const planFor = (
    caller: CostCaller,
    model: string | null,
    request: CostRequest,
    headroom: number | null,
  ): ReservePlan => {
    const limit = caller.policy?.maxTokens ?? null;
    return planReservation({ model, operation: request.operation, body: request.body }, {
      prices,
      settings: limit === null || limit >= reserve.defaultMaxOutput
        ? reserve
        : { ...reserve, defaultMaxOutput: limit },
      headroom,
      targets: model === null ? undefined : request.targetsOf?.(model),
    });
  };

  return {
    admit(caller, request) {
      const day = ledger.day;
      const who = scopesOf(caller);
      let worst = 0;
      let headroom: number | null = null;
      for (const cap of who.caps) {
        const e = ledger.get(cap.scope);
        const committed = e.spent + e.reserved;
        if (committed >= cap.cap) throw refuse(cap, day);
        worst = Math.max(worst, committed / cap.cap);
        headroom = Math.min(headroom ?? Infinity, cap.cap - committed);
      }
      let model = request.model ?? null;
      const substitute = model === null || downshift === undefined ? undefined : downshift.models[model];
      const shifted = substitute !== undefined && worst >= (downshift?.at ?? Infinity);
      if (shifted) model = substitute;
      const plan = planFor(caller, model, request, headroom);
      for (const cap of who.caps) {
        const e = ledger.get(cap.scope);
        // A reservation is an upper bound, so refusing what does not fit keeps settled spend under the cap.
        if (roundEur(e.spent + e.reserved + plan.eur) > cap.cap) throw refuse(cap, day, { need: plan.eur });
      }
      const reservationEur = plan.eur;
      const reservation = ledger.reserve(who.scopes, reservationEur);
      const body = request.body;
      const admission: CostAdmission = {
        reservationEur,
        ...(plan.set !== null ? { set: plan.set } : {}),
        settle: (record) => bill(record, who, { reservation, body, plan: plan }),
      };
      return shifted ? { ...admission, downshiftTo: substitute } : admission;
    },
    async admitShared(caller, request) {
      const who = scopesOf(caller);
      // Without a cap there is nothing to check: the shared counters only learn the cost at settlement.
      if (counters === undefined || who.caps.length === 0) return this.admit(caller, request);
      const day = ledger.day;
      // The output share is planned from the last shared totals this replica saw (the local ledger where it
      // saw none); the script then admits the reservation only if it fits every cap at that moment.
      let headroom: number | null = null;
      for (const cap of who.caps) {
        const e = ledger.get(cap.scope);
        const spent = Math.max(counters.spent(cap.scope) ?? 0, e.spent);
        headroom = Math.min(headroom ?? Infinity, Math.max(0, cap.cap - spent - e.reserved));
      }
      const model = request.model ?? null;
      const substitute = model === null || downshift === undefined ? undefined : downshift.models[model];
      const plan = planFor(caller, model, request, headroom);
      const altPlan = substitute === undefined ? undefined : planFor(caller, substitute, request, headroom);
      const outcome = await counters.reserve({
        day,
        scopes: who.scopes,
        caps: who.caps,
        eur: plan.eur,
        ...(altPlan ? { alt: { at: downshift!.at, eur: altPlan.eur } } : {}),
      });
      if (outcome === null) return this.admit(caller, request);
      const chosen = outcome.ok && outcome.shifted && altPlan !== undefined ? altPlan : plan;
      if (!outcome.ok) {
        throw refuse(outcome.cap, day, { e: outcome, ...(outcome.tooBig ? { need: chosen.eur } : {}) });
      }
      const reservation = ledger.reserve(who.scopes, outcome.eur);
      const shared = { day, scopes: who.scopes, eur: outcome.eur };
      const body = request.body;
      const admission: CostAdmission = {
        reservationEur: outcome.eur,
        ...(chosen.set !== null ? { set: chosen.set } : {}),
        settle: (record) => bill(record, who, { reservation, body, plan: chosen, shared }),
      };
      return outcome.shifted && substitute !== undefined
        ? { ...admission, downshiftTo: substitute }
        : admission;
    },
    shared: counters !== undefined,
    async reseed(logDir, source) {
      if (counters === undefined) return false;
      const fresh = new SpendLedger({ dayOf: (ms) => clock.dayOf(ms), now });
      const stats = await rebuildLedger(fresh, { logDir, prices, warn, ...(source ? { source } : {}) });
      return await counters.seed(stats.day, stats.spent);
    },
    sink(record) {
      const caller = record.caller as CostCaller | null;
      return bill(record, scopesOf(caller), { reservation: null, body: undefined });
    },
    spendToday(scope = GLOBAL_SCOPE) {
      return counters?.spent(scope) ?? ledger.get(scope).spent;
    },
    async rebuild(logDir, source, rates) {
      const stats = await rebuildLedger(ledger, {
        logDir,
        prices,
        warn,
        ...(source ? { source } : {}),
        ...(rates ? { rates } : {}),
      });
      rebuilt = { day: stats.day, spent: new Map(Object.entries(stats.spent)) };
      return stats;
    },
    ledger,
    prices,
    async idle() {
      while (bookings.size > 0) await Promise.all([...bookings]);
      await alerts.idle();
    },
  };
}

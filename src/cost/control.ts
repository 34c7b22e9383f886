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
import type { CallRecord } from "../pipeline/record.ts";
import { GatewayError } from "../server/errors.ts";
import { BudgetAlerts } from "./alerts.ts";
import { costOf } from "./calculator.ts";
import { dayFunction, nextDayStart } from "./day_end.ts";
import { admissionUsage, estimateUsage, loadTokenizer } from "./estimate.ts";
import { type Reservation, SpendLedger } from "./ledger.ts";
import { PriceTable } from "./pricing.ts";
import { rebuildLedger, type RebuildStats, type RecordSource } from "./rebuild.ts";
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
  /** Continue this ledger (today's spend and reservations) instead of starting an empty one: a reload. */
  ledger?: SpendLedger;
}

/** A caller as cost control sees it: who (for scopes) and, for governed callers, the per-scope caps. */
export interface CostCaller extends ScopeCaller {
  readonly policy?: { readonly scopes: readonly LimitScope[] };
}

/** The request being admitted. */
export interface CostRequest {
  /** Model or deployment the request names. */
  model: string | null | undefined;
  /** The parsed JSON body. */
  body?: Record<string, unknown> | null;
  /** `chat`, `completions`, `embeddings`, `responses`, `messages`. */
  operation: string;
}

/** The cost of a settled call. */
export interface Settlement {
  costEur: number;
  /** Whether the usage was estimated (the upstream reported none). */
  estimated: boolean;
}

/** An admitted call. */
export interface CostAdmission {
  /** EUR held for the call until it settles. */
  readonly reservationEur: number;
  /** The cheaper model to use instead of the requested one, past the downshift threshold. */
  readonly downshiftTo?: string;
  /**
   * Books the real cost of the ended call (also failed or abandoned ones) and releases the reservation;
   * sets `record.costEur`, `record.costEstimated` and, when estimated, `record.usage`. Call it before
   * the record goes to the request log. Later calls return the first result.
   */
  settle(record: CallRecord): Settlement;
}

/** Cost control of one gateway process. */
export interface CostControl {
  /** Admits a call or throws `GatewayError` 429 `daily_cost_cap_exceeded`. */
  admit(caller: CostCaller, request: CostRequest): CostAdmission;
  /** Books a call that was never admitted (like `settle` without a reservation); idempotent per record. */
  sink(record: CallRecord): Settlement;
  /** Settled spend today of a scope (`global`, `project:demo`, `key:dev`, `token:…`); default global. */
  spendToday(scope?: string): number;
  /** Books today's logged calls (call once at start, before serving). */
  rebuild(logDir: string, source?: RecordSource): Promise<RebuildStats>;
  readonly ledger: SpendLedger;
  readonly prices: PriceTable;
  /** Resolves when every webhook alert started so far has been delivered or given up. */
  idle(): Promise<void>;
}

interface Cap {
  scope: string;
  cap: number;
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
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.env ? { env: deps.env } : {}),
    ...(deps.readTextFile ? { readTextFile: deps.readTextFile } : {}),
  });
  const globalCap: Cap[] = budget?.dailyEur === undefined
    ? []
    : [{ scope: GLOBAL_SCOPE, cap: budget.dailyEur }];
  const defaultMaxTokens = budget?.defaultMaxOutputTokens ?? 4096;
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

  const refuse = (cap: Cap, day: string): GatewayError => {
    const e = ledger.get(cap.scope);
    const held = e.reserved > 0 && e.spent < cap.cap
      ? `, ${formatEur(e.reserved)} more reserved by calls in progress`
      : "";
    return new GatewayError(
      429,
      "daily_cost_cap_exceeded",
      `Daily cost cap of ${formatEur(cap.cap)} for ${scopeLabel(cap.scope)} reached: ` +
        `spent ${formatEur(e.spent)} today${held}`,
      { headers: { "retry-after": retryAfter(day) } },
    );
  };

  const checkAlerts = (day: string, caps: readonly Cap[]): void => {
    for (const { scope, cap } of caps) {
      if (rebuilt.day === day && rebuilt.spent.has(scope)) {
        alerts.markSent(scope, { day, spent: rebuilt.spent.get(scope)!, cap });
        rebuilt.spent.delete(scope);
      }
      alerts.check(scope, { day, spent: ledger.get(scope).spent, cap });
    }
  };

  const bill = (
    record: CallRecord,
    who: { scopes: string[]; caps: Cap[] },
    options: { reservation: Reservation | null; body: Record<string, unknown> | null | undefined },
  ): Settlement => {
    const done = settled.get(record);
    if (done !== undefined) return done;
    let usage = record.usage;
    let estimated = false;
    if (usage === null && billable(record)) {
      if (tokenizer) void loadTokenizer();
      usage = estimateUsage(options.body !== undefined ? options.body : bodyOf(record), record.assembled);
      estimated = true;
    }
    const costEur = usage === null
      ? 0
      : costOf(usage, prices.lookup([record.deployment, record.model, record.assembled?.model]).price);
    if (options.reservation !== null) ledger.release(options.reservation);
    const day = recordDays.dayOf(Date.parse(record.ts) || now());
    if (ledger.add(day, who.scopes, costEur) && costEur > 0) checkAlerts(day, who.caps);
    record.costEur = costEur;
    record.costEstimated = estimated;
    if (estimated && record.usage === null) record.usage = usage;
    const result = { costEur, estimated };
    settled.set(record, result);
    return result;
  };

  return {
    admit(caller, request) {
      const day = ledger.day;
      const who = scopesOf(caller);
      let worst = 0;
      for (const cap of who.caps) {
        const e = ledger.get(cap.scope);
        const committed = e.spent + e.reserved;
        if (committed >= cap.cap) throw refuse(cap, day);
        worst = Math.max(worst, committed / cap.cap);
      }
      let model = request.model ?? null;
      const substitute = model === null || downshift === undefined ? undefined : downshift.models[model];
      const shifted = substitute !== undefined && worst >= (downshift?.at ?? Infinity);
      if (shifted) model = substitute;
      const usage = admissionUsage(request.body, { operation: request.operation, defaultMaxTokens });
      const reservationEur = costOf(usage, prices.lookup([model], { quiet: true }).price);
      const reservation = ledger.reserve(who.scopes, reservationEur);
      const body = request.body;
      const admission: CostAdmission = {
        reservationEur,
        settle: (record) => bill(record, who, { reservation, body }),
      };
      return shifted ? { ...admission, downshiftTo: substitute } : admission;
    },
    sink(record) {
      const caller = record.caller as CostCaller | null;
      return bill(record, scopesOf(caller), { reservation: null, body: undefined });
    },
    spendToday(scope = GLOBAL_SCOPE) {
      return ledger.get(scope).spent;
    },
    async rebuild(logDir, source) {
      const stats = await rebuildLedger(ledger, { logDir, prices, warn, ...(source ? { source } : {}) });
      rebuilt = { day: stats.day, spent: new Map(Object.entries(stats.spent)) };
      return stats;
    },
    ledger,
    prices,
    idle: () => alerts.idle(),
  };
}

/** Whether a call without reported usage was billed by the upstream (it reached one and got an answer). */
function billable(record: CallRecord): boolean {
  if (record.attempts === 0) return false;
  const s = record.status;
  if (s === "client_closed" || (s >= 200 && s < 300)) return true;
  return (record.assembled?.events ?? 0) > 0;
}

function bodyOf(record: CallRecord): Record<string, unknown> | null {
  if (record.requestBody === null) return null;
  try {
    const v = JSON.parse(new TextDecoder().decode(record.requestBody));
    return typeof v === "object" && v !== null && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/**
 * Today's spend rebuilt from today's request logs at start: every instance's files of the day folder,
 * scanned for their plain metadata only (no key needed), each call booked on its scopes at its logged
 * `cost_eur` (or its usage priced now, for records written before costs were logged). A stream the
 * gateway was serving when it stopped left only its started entry: it is booked at its reservation.
 *
 * The same pass can gather this gateway's calls of the last rate window (`rates`) for the rate limiter,
 * so that a restart does not refill the RPM/TPM buckets: the files are read once for both.
 */
import { chargeOf, type RateHistory } from "../governance/rate_history.ts";
import { dayFiles } from "../logs/reader.ts";
import { roundEur } from "./calculator.ts";
import type { SpendLedger } from "./ledger.ts";
import type { PriceTable } from "./pricing.ts";
import { callerOfMeta, loggedCost } from "./record_cost.ts";
import type { LogMeta, RecentScan, ScanStats } from "./scan.ts";
import { scanCosts } from "./scan.ts";
import { callerScopes, GLOBAL_SCOPE, type ScopeCaller } from "./scopes.ts";

/** What a rebuild read and booked. */
export interface RebuildStats {
  /** The day rebuilt (`YYYYMMDD`). */
  day: string;
  files: number;
  records: number;
  /** Unreadable lines skipped (with a warning each). */
  skipped: number;
  /** Streams cut by a stop (started entries no record closed), booked at their reservation. */
  unclosed: number;
  bytes: number;
  /** Records without `cost_eur`, priced from their usage. */
  repriced: number;
  /** Calls of the last rate window charged again on the rate limits (0 without `rates`). */
  replayed: number;
  /** Total booked, in EUR. */
  eur: number;
  /** Settled spend per scope after the rebuild. */
  spent: Record<string, number>;
  ms: number;
}

/**
 * Where a day's records come from instead of the log files (the records every replica shipped to
 * PostgreSQL): calls `onRecord` per record with its caller as JSON text and its metadata, and hands this
 * gateway's own files' calls of the last rate window to `recent` when given.
 */
export type RecordSource = (
  day: string,
  onRecord: (caller: string, cost: number | LogMeta) => void,
  recent?: RecentScan,
) => Promise<ScanStats>;

/** The rate history a rebuild fills: the calls this gateway (`instance`) logged in its window. */
export interface RebuildRates {
  history: RateHistory;
  instance: string;
}

/**
 * Books today's logged calls under `logDir` (or from `source`) on `ledger`, and with `rates` adds this
 * gateway's calls of the last rate window to its history; a missing day books nothing.
 */
export async function rebuildLedger(
  ledger: SpendLedger,
  options: {
    logDir: string;
    prices: PriceTable;
    warn?: (message: string) => void;
    clock?: () => number;
    source?: RecordSource;
    rates?: RebuildRates;
  },
): Promise<RebuildStats> {
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  const day = ledger.day;
  let files: string[] = [];
  try {
    if (options.source === undefined) files = await dayFiles(options.logDir, day);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  let repriced = 0;
  let eur = 0;
  // Callers repeat: their scopes are worked out once per distinct caller text.
  const scopesOf = new Map<string, string[]>();
  const scopes = (text: string, caller: () => ScopeCaller | null): string[] => {
    let found = scopesOf.get(text);
    if (found === undefined) {
      found = callerScopes(caller());
      scopesOf.set(text, found);
    }
    return found;
  };
  const onRecord = (text: string, cost: number | LogMeta) => {
    let amount: number;
    if (typeof cost === "number") amount = cost;
    else {
      const logged = loggedCost(cost, options.prices);
      if (logged.repriced) repriced++;
      amount = logged.eur;
    }
    eur = roundEur(eur + amount);
    ledger.add(day, scopes(text, () => callerOfJson(text)), amount);
  };
  let replayed = 0;
  const rates = options.rates;
  const recent: RecentScan | undefined = rates && {
    since: rates.history.since,
    onCall(meta) {
      // Another instance's calls were charged on its own limiter, not this one's.
      if (meta.instance !== rates.instance) return;
      const charge = chargeOf(meta);
      if (charge === null) return;
      const limited = callerScopes(callerOfMeta(meta)).filter((s) => s !== GLOBAL_SCOPE);
      if (rates.history.add(limited, charge)) replayed++;
    },
  };
  const scan = options.source
    ? await options.source(day, onRecord, recent)
    : await scanCosts(files, onRecord, {
      ...(options.warn ? { warn: options.warn } : {}),
      ...(recent ? { recent } : {}),
    });
  const spent: Record<string, number> = {};
  for (const [scope, e] of Object.entries(ledger.snapshot())) spent[scope] = e.spent;
  return { day, ...scan, repriced, replayed, eur, spent, ms: clock() - started };
}

function callerOfJson(text: string): ScopeCaller | null {
  try {
    return callerOfMeta({ caller: JSON.parse(text) } as LogMeta);
  } catch {
    return null;
  }
}

/**
 * Cost reports over request logs, offline and without a key: requests, tokens and EUR per day, model,
 * key, project or upstream, plus spend per day and per model for charts. Records without `cost_eur`
 * (older logs) are priced from their usage with the current table and counted as `repriced`.
 */
import { dayFiles } from "../logs/reader.ts";
import { roundEur } from "./calculator.ts";
import type { PriceTable } from "./pricing.ts";
import { loggedCost, usageOfJson } from "./record_cost.ts";
import { type LogMeta, scanFiles } from "./scan.ts";

/** What a report groups by. */
export type GroupBy = "day" | "model" | "key" | "project" | "upstream";

/** Report dimensions, for argument parsing. */
export const GROUP_BY: readonly GroupBy[] = ["day", "model", "key", "project", "upstream"];

/** Totals of one group (or of everything). */
export interface ReportRow {
  key: string;
  /** Calls sent to an upstream (the ones that can cost). */
  requests: number;
  /** Calls the gateway refused before any upstream attempt (auth, policy, rate limit, cost cap, bad input). */
  refused: number;
  promptTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  costEur: number;
  /** Records priced now from their usage (no `cost_eur` logged). */
  repriced: number;
  /** Records whose usage was estimated by the gateway. */
  estimated: number;
}

/** A finished report. */
export interface CostReport {
  from: string;
  to: string;
  by: GroupBy;
  currency: "EUR";
  /** Date of the price table used for repriced records. */
  pricesAsOf: string;
  rows: ReportRow[];
  total: ReportRow;
  /** Spend per day, every day of the range (zero days included), oldest first. */
  perDay: { day: string; costEur: number }[];
  /** Spend per model, most expensive first. */
  perModel: { model: string; costEur: number }[];
  /** Log files read and lines skipped. */
  files: number;
  skipped: number;
}

const NONE = "(none)";

/** The average cost per request sent upstream of a row (0 without requests); refused calls are not requests. */
export function averageEur(row: ReportRow): number {
  return row.requests === 0 ? 0 : roundEur(row.costEur / row.requests);
}

function emptyRow(key: string): ReportRow {
  return {
    key,
    requests: 0,
    refused: 0,
    promptTokens: 0,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    completionTokens: 0,
    reasoningTokens: 0,
    costEur: 0,
    repriced: 0,
    estimated: 0,
  };
}

function modelOf(meta: LogMeta): string {
  return meta.model ?? meta.deployment ?? NONE;
}

function groupKey(by: GroupBy, day: string, meta: LogMeta): string {
  const c = meta.caller ?? { key_id: null, project: null, token_id: null };
  switch (by) {
    case "day":
      return day;
    case "model":
      return modelOf(meta);
    case "key":
      return c.token_id ? `token:${c.token_id}` : c.key_id ?? NONE;
    case "project":
      return c.project ?? NONE;
    case "upstream":
      return meta.upstream ?? NONE;
  }
}

/** Accumulates records into a report. */
export class ReportBuilder {
  readonly #rows = new Map<string, ReportRow>();
  readonly #total = emptyRow("total");
  readonly #days = new Map<string, number>();
  readonly #models = new Map<string, number>();

  /** Starts a report grouped `by`, pricing unpriced records with `prices`. */
  constructor(readonly by: GroupBy, readonly prices: PriceTable) {}

  /** Adds one record of `day`. */
  add(day: string, meta: LogMeta): void {
    const key = groupKey(this.by, day, meta);
    let row = this.#rows.get(key);
    if (row === undefined) {
      row = emptyRow(key);
      this.#rows.set(key, row);
    }
    const cost = loggedCost(meta, this.prices);
    const u = meta.usage && typeof meta.usage === "object" ? usageOfJson(meta.usage) : null;
    const refused = meta.attempts === 0;
    for (const r of [row, this.#total]) {
      if (refused) r.refused++;
      else r.requests++;
      r.costEur += cost.eur;
      if (cost.repriced) r.repriced++;
      if (meta.usage_source === "estimated") r.estimated++;
      if (u !== null) {
        r.promptTokens += u.promptTokens;
        r.cachedTokens += u.cachedTokens;
        r.cacheWriteTokens += u.cacheWriteTokens;
        r.completionTokens += u.completionTokens;
        r.reasoningTokens += u.reasoningTokens;
      }
    }
    this.#days.set(day, (this.#days.get(day) ?? 0) + cost.eur);
    const model = modelOf(meta);
    this.#models.set(model, (this.#models.get(model) ?? 0) + cost.eur);
  }

  /** The report over `days` (the range asked for, oldest first). */
  result(days: readonly string[], stats: { files: number; skipped: number }): CostReport {
    const rows = [...this.#rows.values()].map(rounded);
    if (this.by === "day") rows.sort((a, b) => (a.key < b.key ? -1 : 1));
    else rows.sort((a, b) => b.costEur - a.costEur || (a.key < b.key ? -1 : 1));
    return {
      from: days[0] ?? "",
      to: days.at(-1) ?? "",
      by: this.by,
      currency: "EUR",
      pricesAsOf: this.prices.asOf,
      rows,
      total: rounded(this.#total),
      perDay: days.map((day) => ({ day, costEur: roundEur(this.#days.get(day) ?? 0) })),
      perModel: [...this.#models].map(([model, eur]) => ({ model, costEur: roundEur(eur) }))
        .sort((a, b) => b.costEur - a.costEur),
      files: stats.files,
      skipped: stats.skipped,
    };
  }
}

function rounded(row: ReportRow): ReportRow {
  return { ...row, costEur: roundEur(row.costEur) };
}

/**
 * Where a day's records come from instead of the log files (every replica's records in PostgreSQL):
 * calls `onRecord` per record's metadata, returns what it read.
 */
export type ReportSource = (
  day: string,
  onRecord: (meta: LogMeta) => void,
) => Promise<{ files: number; skipped: number }>;

/** Reads every log file of `days` under `dir` (missing days are empty), or `source`, into a report. */
export async function buildReport(
  dir: string,
  options: {
    days: readonly string[];
    by: GroupBy;
    prices: PriceTable;
    warn?: (message: string) => void;
    source?: ReportSource;
  },
): Promise<CostReport> {
  const builder = new ReportBuilder(options.by, options.prices);
  let files = 0;
  let skipped = 0;
  for (const day of options.days) {
    if (options.source) {
      const stats = await options.source(day, (meta) => builder.add(day, meta));
      files += stats.files;
      skipped += stats.skipped;
      continue;
    }
    let paths: string[];
    try {
      paths = await dayFiles(dir, day);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue;
      throw err;
    }
    const stats = await scanFiles(
      paths,
      (meta) => builder.add(day, meta),
      options.warn ? { warn: options.warn } : {},
    );
    files += stats.files;
    skipped += stats.skipped;
  }
  return builder.result(options.days, { files, skipped });
}

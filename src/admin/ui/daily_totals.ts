/**
 * Spend and requests per day for the Overview's 30-day charts without reading a month of logs on every
 * page view: a past day is read from the request logs once and kept (yesterday is read again every few
 * minutes, for calls logged just after midnight); today comes from the live figures — the cost ledger's
 * spend and this instance's call count.
 */
import { addDays } from "../../logs/day.ts";
import type { PageContext } from "./page.ts";
import { report, today } from "./report.ts";

/** One day's totals. */
export interface DayTotal {
  day: string;
  costEur: number;
  requests: number;
}

/** How long yesterday's totals are reused before they are read again. */
export const YESTERDAY_TTL_MS = 5 * 60_000;
const KEEP_DAYS = 62;

/** The per-day totals of one admin UI. */
export class DailyTotals {
  readonly #days = new Map<string, DayTotal & { at: number }>();

  /** Totals of `days` (oldest first, ending today at the latest). */
  async get(ctx: PageContext, days: readonly string[]): Promise<DayTotal[]> {
    const now = today(ctx);
    const yesterday = addDays(now, -1);
    const stale = (d: string) => {
      const e = this.#days.get(d);
      return e === undefined || (d === yesterday && ctx.now - e.at > YESTERDAY_TTL_MS);
    };
    const missing = days.filter((d) => d < now && stale(d));
    if (missing.length > 0) {
      const r = await report(ctx, missing, "day");
      const requests = new Map(r.rows.map((row) => [row.key, row.requests]));
      for (const p of r.perDay) {
        this.#days.set(p.day, {
          day: p.day,
          costEur: p.costEur,
          requests: requests.get(p.day) ?? 0,
          at: ctx.now,
        });
      }
      const oldest = addDays(now, -KEEP_DAYS);
      for (const d of this.#days.keys()) if (d < oldest) this.#days.delete(d);
    }
    return days.map((day) => {
      if (day >= now) {
        return {
          day,
          costEur: ctx.deps.spendToday(),
          requests: ctx.deps.calls.today(ctx.now).total.requests,
        };
      }
      const { at: _, ...total } = this.#days.get(day)!;
      return total;
    });
  }
}

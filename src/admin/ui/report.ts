/** The cost report behind the Overview charts and the Usage page: `azmw cost report`'s own builder. */
import { buildReport, type CostReport, type GroupBy } from "../../cost/report.ts";
import { addDays, DayClock, dayRange } from "../../logs/day.ts";
import type { PageContext } from "./page.ts";

/** Today (`YYYYMMDD`) in the config's time zone. */
export function today(ctx: PageContext): string {
  return new DayClock(ctx.deps.config().server.timezone).dayOf(ctx.now);
}

/** The last `n` days up to today, oldest first. */
export function lastDays(ctx: PageContext, n: number): string[] {
  const to = today(ctx);
  return dayRange(addDays(to, -(n - 1)), to);
}

/** The report over `days`, grouped `by`, from the request logs. */
export function report(ctx: PageContext, days: readonly string[], by: GroupBy): Promise<CostReport> {
  return buildReport(ctx.deps.config().logs.dir, { days, by, prices: ctx.deps.prices() });
}

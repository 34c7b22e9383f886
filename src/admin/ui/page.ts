/** What every admin UI page gets, and the in-process calls into the management API it makes. */
import type { Config } from "../../config/types.ts";
import type { PriceTable } from "../../cost/pricing.ts";
import type { RandomBytes } from "../../governance/credentials.ts";
import type { AdminLive } from "../../server/app.ts";
import type { Actor } from "../../store/types.ts";
import type { ManageContext } from "../context.ts";
import { dispatch } from "../router.ts";
import type { DailyTotals } from "./daily_totals.ts";
import type { RecentCalls } from "./recent_calls.ts";
import type { Principal } from "./session.ts";

/** What the admin UI needs from the running gateway. */
export interface AdminUiDeps {
  /** The resolved management tokens; the UI signs in with them. */
  tokens: { admin: string | null; reader: string | null };
  /** A context to run management handlers as `actor` (the same code as `/manage`). */
  manageContext(actor: Actor): ManageContext;
  /** The live config (caps, upstreams, logs dir, time zone). */
  config(): Config;
  /** Recent calls and today's figures. */
  calls: RecentCalls;
  /** Settled spend today of a scope (`global`, `project:<name>`, `key:<id>`, `token:<id>`). */
  spendToday(scope?: string): number;
  /** The price table of the cost reports. */
  prices(): PriceTable;
  /** Wall clock in ms. */
  now?: () => number;
  /** Random bytes for session ids and CSRF tokens. */
  random?: RandomBytes;
  /** Reports an unexpected failure (a 500). */
  onError?: (err: unknown) => void;
}

/** One request to a page. */
export interface PageContext {
  req: Request;
  url: URL;
  principal: Principal;
  deps: AdminUiDeps;
  live: AdminLive;
  now: number;
  /** Per-day totals for the charts, kept across requests. */
  daily: DailyTotals;
  /** Runs a management request as the signed-in user (`ui:admin` or `ui:reader` in the audit trail). */
  manage(method: string, path: string, body?: unknown, query?: URLSearchParams): Promise<unknown>;
}

/** Builds the page context of a request. */
export function pageContext(
  base: {
    req: Request;
    url: URL;
    principal: Principal;
    deps: AdminUiDeps;
    live: AdminLive;
    daily: DailyTotals;
  },
): PageContext {
  const now = (base.deps.now ?? Date.now)();
  const actor: Actor = { role: base.principal.role, id: `ui:${base.principal.role}` };
  return {
    ...base,
    now,
    async manage(method, path, body, query = new URLSearchParams()) {
      const ctx = base.deps.manageContext(actor);
      const result = await dispatch(ctx, { method, path, query, body });
      return result.body;
    },
  };
}

type Item = Record<string, unknown>;

/** Every item of a management list (following cursors, at most `max`). */
export async function listAll(
  ctx: PageContext,
  path: string,
  params: Record<string, string> = {},
  max = 1_000,
): Promise<Item[]> {
  const out: Item[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ ...params, limit: "100", ...(cursor ? { cursor } : {}) });
    const page = await ctx.manage("GET", path, undefined, query) as {
      data: Item[];
      next_cursor: string | null;
    };
    out.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor !== null && out.length < max);
  return out;
}

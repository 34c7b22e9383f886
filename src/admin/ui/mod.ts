/**
 * The admin web UI at `/admin/`: overview of spend, caps, traffic and upstream health; projects, keys
 * and tokens; usage reports with CSV export; recent calls; the audit trail. Everything it serves is
 * embedded; it runs the management API's handlers in-process, so the UI and `/manage` are one
 * implementation with one audit trail.
 *
 * ```ts
 * import { createAdminUi, RecentCalls } from "./src/admin/ui/mod.ts";
 * const calls = new RecentCalls({ dayOf });
 * const admin = createAdminUi({ tokens, manageContext, config: () => config, calls, spendToday, prices });
 * ```
 *
 * @module
 */
export { ensureAdminToken } from "./admin_token.ts";
export { createAdminUi } from "./handler.ts";
export type { AdminUiDeps } from "./page.ts";
export { RecentCalls } from "./recent_calls.ts";

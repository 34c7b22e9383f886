/**
 * The management API (`/manage/projects`, `/manage/keys`, `/manage/tokens`, `/manage/audit`): a plain
 * `(req) => Promise<Response>` handler with admin and reader roles, plus the in-process dispatcher the
 * CLI uses on a local store.
 *
 * ```ts
 * import { createManageApi } from "./src/admin/mod.ts";
 * const manage = createManageApi(store, { adminToken, readerToken, onChange: resolver.invalidate });
 * ```
 *
 * @module
 */
export { createManageApi, type ManageApiOptions } from "./api.ts";
export { auditView } from "./audit.ts";
export type { ManageContext, ManageResult } from "./context.ts";
export { newApiKey, newId, newToken, type RandomBytes, secureRandom } from "./credentials.ts";
export { formatDuration, parseDuration } from "./duration.ts";
export { DEFAULT_GRACE_MS } from "./keys.ts";
export { dispatch, type ManageRequest } from "./router.ts";
export { DEFAULT_TOKEN_TTL_MS, MAX_TOKEN_TTL_MS } from "./tokens.ts";

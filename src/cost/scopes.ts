/**
 * Spend scopes: every call is booked on the whole gateway (`global`), its project (`project:<name>`) and
 * its own key (`key:<id>`), token (`token:<id>`) or `anonymous` — the ids governance uses for the
 * `daily_cost_eur` caps in `policy.scopes`, so caps and spend meet by id.
 */

/** The scope of the whole gateway (the `budget.daily_eur` cap). */
export const GLOBAL_SCOPE = "global";

/** Who called, as a live caller or a log record knows it. */
export interface ScopeCaller {
  keyId: string | null;
  project: string | null;
  tokenId: string | null;
  /** How the caller authenticated, when known (live callers); `anonymous` has no key scope. */
  kind?: string;
}

/** The caller's own scope id: `token:<id>`, `key:<id>` or `anonymous`. */
export function subjectScope(caller: ScopeCaller): string {
  if (caller.tokenId !== null) return `token:${caller.tokenId}`;
  const anonymous = caller.kind === undefined
    ? caller.keyId === "anonymous" && caller.project === null
    : caller.kind === "anonymous";
  if (anonymous || caller.keyId === null) return "anonymous";
  return `key:${caller.keyId}`;
}

/** Every scope a call of `caller` is booked on, widest first. */
export function callerScopes(caller: ScopeCaller | null): string[] {
  if (caller === null) return [GLOBAL_SCOPE];
  const scopes = [GLOBAL_SCOPE];
  if (caller.project !== null) scopes.push(`project:${caller.project}`);
  scopes.push(subjectScope(caller));
  return scopes;
}

/** A scope as people read it in messages: `project "demo"`, `key "dev"`, `the gateway`. */
export function scopeLabel(scope: string): string {
  if (scope === GLOBAL_SCOPE) return "the gateway";
  if (scope === "anonymous") return "anonymous callers";
  const at = scope.indexOf(":");
  if (at < 0) return JSON.stringify(scope);
  return `${scope.slice(0, at)} ${JSON.stringify(scope.slice(at + 1))}`;
}

/** EUR for messages: two decimals, four when a small amount would otherwise look like another. */
export function formatEur(eur: number): string {
  const two = eur.toFixed(2);
  if (eur === 0 || Math.abs(eur) >= 1 || Number(two) === eur) return `€${two}`;
  return `€${eur.toFixed(4).replace(/(\.\d\d\d?)0+$/, "$1")}`;
}

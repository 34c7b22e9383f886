/**
 * What billing needs to know of an ended call: the model its serving deployment runs (from the config),
 * whether an upstream billed it, and its request body.
 */
import type { Config } from "../config/types.ts";
import type { CallRecord } from "../pipeline/record.ts";

/** The model each upstream deployment runs, from the config (a `models` target names its model). */
export function deploymentModels(
  config: Config,
): (upstream: string | null, deployment: string | null) => string | null {
  const known = new Map<string, string>();
  const key = (u: string, d: string) => `${u}\u0000${d}`;
  for (const m of config.models ?? []) {
    for (const t of m.targets) known.set(key(t.upstream, t.deployment), m.name);
  }
  for (const u of config.upstreams) {
    for (const d of u.deployments) known.set(key(u.name, d.name), d.model);
  }
  return (u, d) => u === null || d === null ? null : known.get(key(u, d)) ?? null;
}

/** Whether a call without reported usage was billed by the upstream (it reached one and got an answer). */
export function billable(record: CallRecord): boolean {
  if (record.attempts === 0) return false;
  const s = record.status;
  if (s === "client_closed" || (s >= 200 && s < 300)) return true;
  return (record.assembled?.events ?? 0) > 0;
}

/** The parsed JSON object of a record's request body, or `null`. */
export function bodyOf(record: CallRecord): Record<string, unknown> | null {
  if (record.requestBody === null) return null;
  try {
    const v = JSON.parse(new TextDecoder().decode(record.requestBody));
    return typeof v === "object" && v !== null && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

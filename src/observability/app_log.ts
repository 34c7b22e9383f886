/**
 * The structured application log: one JSON line per event (start, stop, config, errors, alerts),
 * separate from the request log. Fields whose names look like credentials are masked.
 */

/** Severity of an application log line. */
export type Level = "debug" | "info" | "warn" | "error";

/** Writes application events. */
export interface AppLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const SECRET_FIELD = /(key|token|secret|password|authorization|credential)/i;

function mask(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!fields) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET_FIELD.test(k) && !k.endsWith("_id") && !k.endsWith("Id") && typeof v === "string") {
      out[k] = "***";
    } else if (v instanceof Error) out[k] = `${v.name}: ${v.message}`;
    else out[k] = v;
  }
  return out;
}

/** Creates an app log writing JSON lines through `write` (one call per line, newline included). */
export function createAppLog(write: (line: string) => void, options: { now?: () => number } = {}): AppLog {
  const now = options.now ?? Date.now;
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    try {
      write(`${JSON.stringify({ ts: new Date(now()).toISOString(), level, msg, ...mask(fields) })}\n`);
    } catch { /* the log must never take the gateway down */ }
  };
  return {
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}

/** Record filters of `azmw logs decrypt` and `azmw logs tail`: model, caller key, project and status. */
import type { LogRecord } from "../logs/record.ts";
import { UsageError } from "../core/command.ts";

/** Filters as parsed; `undefined` lets every record through. */
export interface RecordFilters {
  model: string | undefined;
  key: string | undefined;
  project: string | undefined;
  /** Accepted statuses: codes, classes such as `5xx`, or `client_closed`. */
  status: string[] | undefined;
}

/** The `parseArgs` options of the filters (spread into each command's options). */
export const FILTER_OPTIONS = {
  model: { type: "string" },
  key: { type: "string" },
  project: { type: "string" },
  status: { type: "string" },
} as const;

/** The filters from parsed option values. */
export function filterArgs(values: {
  model?: string | undefined;
  key?: string | undefined;
  project?: string | undefined;
  status?: string | undefined;
}): RecordFilters {
  return {
    model: values.model,
    key: values.key,
    project: values.project,
    status: values.status === undefined ? undefined : statusFilter(values.status),
  };
}

/** Parses `--status 200,4xx,client_closed`. */
export function statusFilter(text: string): string[] {
  const items = text.split(",").map((s) => s.trim());
  for (const item of items) {
    if (!/^([1-5]\d\d|[1-5]xx|client_closed)$/.test(item)) {
      throw new UsageError(
        `Option "--status" expects codes, classes or client_closed such as "200,5xx", got "${item}"`,
      );
    }
  }
  return items;
}

/** A predicate that keeps the records matching every given filter. */
export function recordFilter(f: RecordFilters): (r: LogRecord) => boolean {
  return (r) => {
    if (f.model !== undefined && r.model !== f.model && r.deployment !== f.model) return false;
    if (f.key !== undefined && r.caller?.key_id !== f.key) return false;
    if (f.project !== undefined && r.caller?.project !== f.project) return false;
    if (f.status !== undefined) {
      const s = String(r.status);
      return f.status.some((want) =>
        want === s || (want.endsWith("xx") && s.length === 3 && s[0] === want[0])
      );
    }
    return true;
  };
}

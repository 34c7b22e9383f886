/**
 * What the admin UI knows of live traffic: a ring buffer of the latest calls' metadata (never bodies)
 * for the Calls page, and today's requests, errors, latency percentiles, tokens and spend per model and
 * per project for the Overview. Fed by a call sink; at start, `seed()` reads today's calls of this instance
 * back from the request log so a restart does not reset the figures.
 */
import type { LogMeta } from "../../cost/scan.ts";
import { scanFiles } from "../../cost/scan.ts";
import { dayFiles } from "../../logs/reader.ts";
import type { CallRecord, CallSink } from "../../pipeline/record.ts";

/** The metadata of one call shown by the UI. */
export interface CallSummary {
  id: string;
  ts: string;
  project: string | null;
  /** `key:<id>`, `token:<id>` or `anonymous`. */
  caller: string;
  model: string | null;
  upstream: string | null;
  deployment: string | null;
  operation: string | null;
  status: number | "client_closed";
  stream: boolean;
  latencyMs: number;
  ttfbMs: number | null;
  promptTokens: number;
  completionTokens: number;
  costEur: number | null;
  error: string | null;
}

/** Today's figures of one group (a model, a project, or everything). */
export interface GroupStats {
  requests: number;
  errors: number;
  tokens: number;
  costEur: number;
  /** Latencies of the latest calls (at most `SAMPLES`), for percentiles. */
  latencies: number[];
}

/** Latency samples kept per group for percentiles. */
export const SAMPLES = 10_000;

/** Filters of the Calls page. */
export interface CallFilter {
  project?: string;
  model?: string;
  caller?: string;
  /** `ok` (status < 400) or `error`. */
  outcome?: "ok" | "error";
}

/** Whether a call counts as an error: a 4xx or 5xx answer. */
export function isError(status: number | "client_closed"): boolean {
  return typeof status === "number" && status >= 400;
}

function emptyStats(): GroupStats {
  return { requests: 0, errors: 0, tokens: 0, costEur: 0, latencies: [] };
}

/** The `p`-th percentile (0..1) of `values` by nearest rank; `null` when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank]!;
}

/** Recent calls and today's figures. */
export class RecentCalls {
  readonly #ring: CallSummary[] = [];
  readonly #capacity: number;
  readonly #dayOf: (ms: number) => string;
  #day = "";
  #total = emptyStats();
  #models = new Map<string, GroupStats>();
  #projects = new Map<string, GroupStats>();

  /** Keeps the latest `capacity` calls; `dayOf` maps a time to its cost day (`YYYYMMDD`). */
  constructor(options: { capacity?: number; dayOf: (ms: number) => string }) {
    this.#capacity = options.capacity ?? 500;
    this.#dayOf = options.dayOf;
  }

  /** The sink to add to the gateway's call sinks. */
  readonly sink: CallSink = (record) => this.add(record);

  /** Records one finished call. */
  add(record: CallRecord): void {
    this.#addSummary(summarize(record));
  }

  /**
   * Reads the calls of `day` logged by `instance` under `dir` (metadata only); call once at start, before
   * serving. A day without logs adds nothing. Returns the number of calls read.
   */
  async seed(dir: string, options: { day: string; instance: string }): Promise<number> {
    let paths: string[];
    try {
      paths = await dayFiles(dir, options.day, { instance: options.instance });
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return 0;
      throw err;
    }
    const stats = await scanFiles(paths, (meta) => this.#addSummary(summaryOfLog(meta)));
    return stats.records;
  }

  #addSummary(call: CallSummary): void {
    this.#ring.push(call);
    if (this.#ring.length > this.#capacity) this.#ring.shift();
    const day = this.#dayOf(Date.parse(call.ts) || 0);
    if (day !== this.#day) {
      if (day < this.#day) return; // a late call of yesterday: not today's figures
      this.#day = day;
      this.#total = emptyStats();
      this.#models = new Map();
      this.#projects = new Map();
    }
    const groups = [
      this.#total,
      group(this.#models, call.model ?? "(none)"),
      group(this.#projects, call.project ?? "(none)"),
    ];
    for (const g of groups) {
      g.requests++;
      if (isError(call.status)) g.errors++;
      g.tokens += call.promptTokens + call.completionTokens;
      g.costEur += call.costEur ?? 0;
      g.latencies.push(call.latencyMs);
      if (g.latencies.length > SAMPLES) g.latencies.shift();
    }
  }

  /** The latest calls matching `filter`, newest first, at most `limit`. */
  list(filter: CallFilter = {}, limit = 200): CallSummary[] {
    const out: CallSummary[] = [];
    for (let i = this.#ring.length - 1; i >= 0 && out.length < limit; i--) {
      const c = this.#ring[i]!;
      if (filter.project && c.project !== filter.project) continue;
      if (filter.model && c.model !== filter.model) continue;
      if (filter.caller && !c.caller.includes(filter.caller)) continue;
      if (filter.outcome === "ok" && isError(c.status)) continue;
      if (filter.outcome === "error" && !isError(c.status)) continue;
      out.push(c);
    }
    return out;
  }

  /** Today's figures (empty once the day has changed without a call). */
  today(
    now: number,
  ): { total: GroupStats; models: Map<string, GroupStats>; projects: Map<string, GroupStats> } {
    if (this.#dayOf(now) !== this.#day) {
      return { total: emptyStats(), models: new Map(), projects: new Map() };
    }
    return { total: this.#total, models: this.#models, projects: this.#projects };
  }
}

function group(map: Map<string, GroupStats>, key: string): GroupStats {
  let g = map.get(key);
  if (g === undefined) {
    g = emptyStats();
    map.set(key, g);
  }
  return g;
}

function summarize(r: CallRecord): CallSummary {
  const c = r.caller;
  const caller = c === null || (c.keyId === "anonymous" && c.tokenId === null)
    ? "anonymous"
    : c.tokenId !== null
    ? `token:${c.tokenId}`
    : `key:${c.keyId}`;
  return {
    id: r.id,
    ts: r.ts,
    project: c?.project ?? null,
    caller,
    model: r.model,
    upstream: r.upstream,
    deployment: r.deployment,
    operation: r.operation,
    status: r.status,
    stream: r.stream,
    latencyMs: r.latencyMs,
    ttfbMs: r.ttfbMs,
    promptTokens: r.usage?.promptTokens ?? 0,
    completionTokens: r.usage?.completionTokens ?? 0,
    costEur: r.costEur ?? null,
    error: r.error ? r.error.code : null,
  };
}

function summaryOfLog(m: LogMeta): CallSummary {
  const c = m.caller ?? { key_id: null, project: null, token_id: null };
  return {
    id: m.id,
    ts: m.ts,
    project: c.project,
    caller: c.token_id
      ? `token:${c.token_id}`
      : c.key_id && c.key_id !== "anonymous"
      ? `key:${c.key_id}`
      : "anonymous",
    model: m.model ?? null,
    upstream: m.upstream ?? null,
    deployment: m.deployment ?? null,
    operation: m.operation ?? null,
    status: m.status,
    stream: m.stream === true,
    latencyMs: typeof m.latency_ms === "number" ? m.latency_ms : 0,
    ttfbMs: typeof m.ttfb_ms === "number" ? m.ttfb_ms : null,
    promptTokens: m.usage?.prompt_tokens ?? 0,
    completionTokens: m.usage?.completion_tokens ?? 0,
    costEur: typeof m.cost_eur === "number" ? m.cost_eur : null,
    error: m.error ? m.error.type : null,
  };
}

/**
 * Events observed by polling, so the parts they come from stay untouched: breaker transitions (states of
 * every upstream deployment), request-log records dropped on a full queue, and changes of projects,
 * keys and tokens (new entries of the audit trail, which also catches changes made by the CLI or another
 * replica). The first check only takes a baseline.
 */
import type { EventType } from "../config/types.ts";
import type { AuditEntry } from "../store/types.ts";

/** A breaker as the gateway reports it. */
export interface BreakerView {
  upstream: string;
  deployment: string;
  state: string;
}

/** Where the watched values come from; each is optional. */
export interface WatchSources {
  breakers?: () => readonly BreakerView[];
  /** Total request-log records dropped so far. */
  logDropped?: () => number;
  /** Audit entries, newest first (`listAudit` of the store). */
  audit?: (
    query: { limit: number; cursor?: string },
  ) => Promise<{ items: AuditEntry[]; nextCursor: string | null }>;
}

/** Emits an event (the bus). */
export type Emit = (
  type: EventType,
  data: unknown,
  options?: { id?: string; subject?: string; time?: number | string },
) => void;

/** Polls `sources` and emits what changed. */
export class EventWatch {
  readonly #emit: Emit;
  readonly #sources: WatchSources;
  readonly #breakers = new Map<string, string>();
  #dropped = -1;
  #auditId = -1;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | null = null;

  /** Creates the watcher (no polling until `start` or `tick`). */
  constructor(emit: Emit, sources: WatchSources) {
    this.#emit = emit;
    this.#sources = sources;
  }

  /** One check of every source. */
  async tick(): Promise<void> {
    this.#checkBreakers();
    this.#checkDropped();
    await this.#checkAudit();
  }

  /** Checks every `intervalMs` (the timer does not keep the process alive). */
  start(intervalMs: number, onError: (err: unknown) => void = () => {}): void {
    this.#timer = setInterval(() => {
      if (this.#running !== null) return;
      this.#running = this.tick().catch(onError).finally(() => this.#running = null);
    }, intervalMs);
    Deno.unrefTimer(this.#timer);
  }

  /** Stops polling and waits for a check in progress, then checks once more. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
    await this.tick().catch(() => {});
  }

  #checkBreakers(): void {
    const views = this.#sources.breakers?.();
    if (views === undefined) return;
    for (const b of views) {
      const key = `${b.upstream}/${b.deployment}`;
      const previous = this.#breakers.get(key);
      this.#breakers.set(key, b.state);
      if (previous === undefined || previous === b.state) continue;
      this.#emit("azmw.upstream.breaker", { ...b, previous }, { subject: key });
    }
  }

  #checkDropped(): void {
    const total = this.#sources.logDropped?.();
    if (total === undefined) return;
    const before = this.#dropped;
    this.#dropped = total;
    if (before >= 0 && total > before) this.#emit("azmw.log.dropped", { dropped: total - before, total });
  }

  async #checkAudit(): Promise<void> {
    const audit = this.#sources.audit;
    if (audit === undefined) return;
    const fresh: AuditEntry[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const { items, nextCursor } = await audit({ limit: 100, ...(cursor ? { cursor } : {}) });
      if (this.#auditId < 0) {
        this.#auditId = items[0]?.id ?? 0;
        return;
      }
      const newer = items.filter((e) => e.id > this.#auditId);
      fresh.push(...newer);
      if (newer.length < items.length || nextCursor === null) break;
      cursor = nextCursor;
    }
    fresh.sort((a, b) => a.id - b.id);
    for (const e of fresh) {
      this.#auditId = Math.max(this.#auditId, e.id);
      this.#emit("azmw.caller.changed", {
        action: e.action,
        target: { type: e.targetType, id: e.targetId },
        project: e.project,
        actor: e.actor,
        at: new Date(e.at).toISOString(),
        before: e.before,
        after: e.after,
      }, { id: `audit-${e.id}`, subject: `${e.targetType}/${e.targetId}`, time: e.at });
    }
  }
}

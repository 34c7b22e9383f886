/**
 * Budget alerts: when a scope's settled spend crosses a threshold of its daily cap (`budget.
 * alert_thresholds`, e.g. 80 % and 100 %), one warning goes to the app log and one JSON POST to the
 * webhook, retried with exponential backoff. Each threshold alerts once per scope and day — a call that
 * crosses several sends one alert for each; thresholds already crossed when the ledger is rebuilt at start
 * are marked as sent, so a restart does not repeat them, and what was sent is kept by the spend ledger
 * (`claim`), so a reload does not either.
 */
import { resolveSecret, type SecretDeps } from "../config/secrets.ts";
import type { BudgetWebhookConfig } from "../config/types.ts";
import { formatEur, scopeLabel } from "./scopes.ts";

/** What an alert needs from the outside world. */
export interface AlertOptions extends SecretDeps {
  thresholds: readonly number[];
  webhook?: BudgetWebhookConfig | undefined;
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  warn?: (message: string) => void;
  now?: () => number;
  /** Waits between webhook attempts (tests pass an instant one). */
  sleep?: (ms: number) => Promise<void>;
  /** Webhook attempts in all; default 4. */
  attempts?: number;
  /** First backoff; doubles per attempt. Default 500. */
  backoffMs?: number;
  /** Claims an alert: true the first time per day, scope and threshold (default: kept by this instance). */
  claim?: (day: string, scope: string, threshold: number) => boolean;
  /** Claims an alert across replicas before it is sent (`false`: another replica sends it). */
  sharedClaim?: (scope: string, day: string, threshold: number) => Promise<boolean>;
  /**
   * Hands each alert to the event bus (`azmw.budget.threshold`) instead of posting it here; the bus
   * delivers `webhook` as one of its sinks.
   */
  emit?: (payload: AlertPayload) => void;
}

/** The JSON body posted to the webhook. */
export interface AlertPayload {
  event: "azmw.cost_alert";
  scope: string;
  label: string;
  day: string;
  threshold: number;
  spent_eur: number;
  cap_eur: number;
  ts: string;
}

/** Threshold tracking and delivery. */
export class BudgetAlerts {
  readonly #o: AlertOptions;
  readonly #sent = new Set<string>();
  readonly #pending = new Set<Promise<void>>();
  #day = "";

  /** Creates the alerter. */
  constructor(options: AlertOptions) {
    this.#o = options;
  }

  #claim(day: string, scope: string, t: number): boolean {
    if (this.#o.claim) return this.#o.claim(day, scope, t);
    if (day !== this.#day) {
      this.#day = day;
      this.#sent.clear();
    }
    const id = `${scope}\u0000${t}`;
    if (this.#sent.has(id)) return false;
    this.#sent.add(id);
    return true;
  }

  #crossed(scope: string, day: string, spent: number, cap: number): number[] {
    return this.#o.thresholds.filter((t) => spent >= t * cap && this.#claim(day, scope, t));
  }

  /**
   * Alerts every threshold of `cap` that `spent` has newly crossed, one alert each; with replicas, only the
   * replica that claims a threshold first sends it.
   */
  check(scope: string, options: { day: string; spent: number; cap: number }): void {
    for (const t of this.#crossed(scope, options.day, options.spent, options.cap)) {
      const shared = this.#o.sharedClaim;
      if (shared === undefined) {
        this.#send(scope, t, options);
        continue;
      }
      const p = shared(scope, options.day, t)
        .then(
          (mine) => {
            if (mine) this.#send(scope, t, options);
          },
          (err) =>
            this.#o.warn?.(`Cannot claim a cost alert across replicas: ${(err as Error)?.message ?? err}`),
        )
        .finally(() => this.#pending.delete(p));
      this.#pending.add(p);
    }
  }

  #send(scope: string, t: number, options: { day: string; spent: number; cap: number }): void {
    const { day, spent, cap } = options;
    const label = scopeLabel(scope);
    this.#o.warn?.(
      `Daily cost of ${label} reached ${Math.round(t * 100)}% of its cap: ` +
        `${formatEur(spent)} of ${formatEur(cap)} spent on ${day}`,
    );
    if (this.#o.webhook === undefined && this.#o.emit === undefined) return;
    const payload: AlertPayload = {
      event: "azmw.cost_alert",
      scope,
      label,
      day,
      threshold: t,
      spent_eur: spent,
      cap_eur: cap,
      ts: new Date((this.#o.now ?? Date.now)()).toISOString(),
    };
    if (this.#o.emit !== undefined) return this.#o.emit(payload);
    if (this.#o.webhook === undefined) return;
    const p = this.#deliver(this.#o.webhook, payload).finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }

  /** Marks crossed thresholds as sent without alerting (after a rebuild). */
  markSent(scope: string, options: { day: string; spent: number; cap: number }): void {
    this.#crossed(scope, options.day, options.spent, options.cap);
  }

  /** Resolves once every webhook delivery started so far has finished. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  async #deliver(hook: BudgetWebhookConfig, payload: AlertPayload): Promise<void> {
    const warn = this.#o.warn ?? (() => {});
    const fetchFn = this.#o.fetch ?? ((u: string, i: RequestInit) => fetch(u, i));
    const sleep = this.#o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const attempts = this.#o.attempts ?? 4;
    let request: { url: string; headers: Record<string, string> };
    try {
      request = await this.#resolve(hook);
    } catch (err) {
      warn(`Cannot send a cost alert to the webhook: ${(err as Error).message}`);
      return;
    }
    let reason = "";
    let n = 0;
    for (; n < attempts; n++) {
      if (n > 0) await sleep((this.#o.backoffMs ?? 500) * 2 ** (n - 1));
      try {
        const res = await fetchFn(request.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...request.headers },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(10_000),
        });
        await res.body?.cancel();
        if (res.ok) return;
        reason = `status ${res.status}`;
        if (res.status < 500 && res.status !== 429 && res.status !== 408) {
          n++;
          break;
        }
      } catch (err) {
        reason = (err as Error)?.name ?? "network error";
      }
    }
    warn(`Cannot send a cost alert to the webhook: ${reason} after ${n} attempt${n === 1 ? "" : "s"}`);
  }

  async #resolve(hook: BudgetWebhookConfig): Promise<{ url: string; headers: Record<string, string> }> {
    const deps = {
      ...(this.#o.env ? { env: this.#o.env } : {}),
      ...(this.#o.readTextFile ? { readTextFile: this.#o.readTextFile } : {}),
    };
    const value = (v: string, path: string) =>
      /^(env|file):/.test(v) ? resolveSecret(v, { ...deps, path }) : Promise.resolve(v);
    const url = await value(hook.url, "budget.webhook.url");
    const headers: Record<string, string> = {};
    for (const [name, v] of Object.entries(hook.headers)) {
      headers[name] = await value(v, `budget.webhook.headers.${name}`);
    }
    return { url, headers };
  }
}

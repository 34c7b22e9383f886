/**
 * Today's spend per scope (`global`, `project:<name>`, `key:<id>`, `token:<id>`, `anonymous`): settled
 * cost plus reservations of calls still in flight. One day at a time, in the configured time zone; the
 * first use on a new day starts from zero. Cost is booked on the day the call started — the day its log
 * record is filed under — so a rebuild from the logs gives the same figures; the previous day is kept, so
 * a call that started before midnight and settles after it still counts against its own day. The ledger
 * also remembers which budget alerts went out today, so a reload does not send them again. Sums are kept rounded to a
 * pico-euro, so ten calls of €0.001 make exactly €0.01 and meet a cap of €0.01.
 */
import { roundEur } from "./calculator.ts";

/** Spend of one scope today, in EUR. */
export interface ScopeSpend {
  /** Settled cost of finished calls. */
  spent: number;
  /** Estimates held by calls in flight. */
  reserved: number;
  /** Calls in flight. */
  inflight: number;
}

/** What admission holds until the call settles. */
export interface Reservation {
  readonly day: string;
  readonly scopes: readonly string[];
  readonly eur: number;
}

/** Options of a ledger. */
export interface LedgerOptions {
  /** The `YYYYMMDD` day of a time (epoch ms) in the configured time zone. */
  dayOf: (ms: number) => string;
  /** Wall clock in epoch ms. */
  now: () => number;
}

/** Day-bound spend counters. */
export class SpendLedger {
  readonly #o: LedgerOptions;
  #day = "";
  #scopes = new Map<string, ScopeSpend>();
  #previous = { day: "", scopes: new Map<string, ScopeSpend>() };
  #alerts = new Set<string>();

  /** Creates an empty ledger. */
  constructor(options: LedgerOptions) {
    this.#o = options;
  }

  /** Today (`YYYYMMDD`); switching to a new day clears every counter. */
  get day(): string {
    return this.#roll();
  }

  #roll(): string {
    const day = this.#o.dayOf(this.#o.now());
    if (day !== this.#day) {
      this.#previous = { day: this.#day, scopes: this.#scopes };
      this.#day = day;
      this.#scopes = new Map();
      const kept = `${this.#previous.day}\u0000`;
      this.#alerts = new Set([...this.#alerts].filter((id) => id.startsWith(kept)));
    }
    return day;
  }

  #entry(scope: string, scopes = this.#scopes): ScopeSpend {
    let e = scopes.get(scope);
    if (e === undefined) {
      e = { spent: 0, reserved: 0, inflight: 0 };
      scopes.set(scope, e);
    }
    return e;
  }

  /** The counters of `day`: today's, the previous day's, or none. */
  #of(day: string): Map<string, ScopeSpend> | null {
    const today = this.#roll();
    if (day === today) return this.#scopes;
    return day === this.#previous.day && day !== "" ? this.#previous.scopes : null;
  }

  /** Spend of `scope` today, or on `day` when it is the previous day (zeros when it has none). */
  get(scope: string, day?: string): Readonly<ScopeSpend> {
    const scopes = day === undefined ? (this.#roll(), this.#scopes) : this.#of(day);
    return scopes?.get(scope) ?? { spent: 0, reserved: 0, inflight: 0 };
  }

  /** Holds `eur` on every scope until `release`. */
  reserve(scopes: readonly string[], eur: number): Reservation {
    const day = this.day;
    for (const s of scopes) {
      const e = this.#entry(s);
      e.reserved = roundEur(e.reserved + eur);
      e.inflight++;
    }
    return { day, scopes, eur };
  }

  /** Gives a reservation back (on its own day: today or the previous day). */
  release(r: Reservation): void {
    const scopes = this.#of(r.day);
    if (scopes === null) return;
    for (const s of r.scopes) {
      const e = scopes.get(s);
      if (e === undefined || e.inflight === 0) continue;
      e.inflight--;
      // Sums of floats drift; with nothing in flight the reservation is exactly zero.
      e.reserved = e.inflight === 0 ? 0 : Math.max(0, roundEur(e.reserved - r.eur));
    }
  }

  /** Books `eur` on every scope when `day` is today or the previous day; returns whether it was booked. */
  add(day: string, scopes: readonly string[], eur: number): boolean {
    const counters = this.#of(day);
    if (counters === null) return false;
    for (const s of scopes) {
      const e = this.#entry(s, counters);
      e.spent = roundEur(e.spent + eur);
    }
    return true;
  }

  /**
   * Claims the alert of `threshold` for `scope` on `day`: true the first time (send it), false after
   * (already sent, also by the cost control of an earlier config generation over this ledger).
   */
  claimAlert(day: string, scope: string, threshold: number): boolean {
    const today = this.#roll();
    const id = `${day}\u0000${scope}\u0000${threshold}`;
    if ((day !== today && day !== this.#previous.day) || this.#alerts.has(id)) return false;
    this.#alerts.add(id);
    return true;
  }

  /** Every scope with spend today, as plain data. */
  snapshot(): Record<string, ScopeSpend> {
    this.#roll();
    const out: Record<string, ScopeSpend> = {};
    for (const [scope, e] of this.#scopes) out[scope] = { ...e };
    return out;
  }
}

/**
 * Today's settled spend of the gateway and of each project, for a `/metrics` gauge (keys and tokens are
 * left out: too many label values). Unlike a counter of this process's calls, it is rebuilt at start.
 */
export function todaySpend(ledger: SpendLedger): [Record<string, string>, number][] {
  const out: [Record<string, string>, number][] = [[{ scope: "global" }, ledger.get("global").spent]];
  for (const [scope, e] of Object.entries(ledger.snapshot())) {
    if (scope.startsWith("project:")) out.push([{ scope }, e.spent]);
  }
  return out;
}

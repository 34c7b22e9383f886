/**
 * Today's spend per scope (`global`, `project:<name>`, `key:<id>`, `token:<id>`, `anonymous`): settled
 * cost plus reservations of calls still in flight. One day at a time, in the configured time zone; the
 * first use on a new day starts from zero. Cost is booked on the day the call started — the day its log
 * record is filed under — so a rebuild from the logs gives the same figures. Sums are kept rounded to a
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
      this.#day = day;
      this.#scopes = new Map();
    }
    return day;
  }

  #entry(scope: string): ScopeSpend {
    let e = this.#scopes.get(scope);
    if (e === undefined) {
      e = { spent: 0, reserved: 0, inflight: 0 };
      this.#scopes.set(scope, e);
    }
    return e;
  }

  /** Spend of `scope` today (zeros when it has none). */
  get(scope: string): Readonly<ScopeSpend> {
    this.#roll();
    return this.#scopes.get(scope) ?? { spent: 0, reserved: 0, inflight: 0 };
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

  /** Gives a reservation back (a reservation of an earlier day is already gone). */
  release(r: Reservation): void {
    if (r.day !== this.day) return;
    for (const s of r.scopes) {
      const e = this.#scopes.get(s);
      if (e === undefined || e.inflight === 0) continue;
      e.inflight--;
      // Sums of floats drift; with nothing in flight the reservation is exactly zero.
      e.reserved = e.inflight === 0 ? 0 : Math.max(0, roundEur(e.reserved - r.eur));
    }
  }

  /** Books `eur` on every scope when `day` is today; returns whether it was booked. */
  add(day: string, scopes: readonly string[], eur: number): boolean {
    if (day !== this.day) return false;
    for (const s of scopes) {
      const e = this.#entry(s);
      e.spent = roundEur(e.spent + eur);
    }
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

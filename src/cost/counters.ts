/**
 * Spend counters shared by replicas, as cost control sees them: an atomic check-and-reserve over the
 * caller's caps and a settlement, in EUR. The in-memory `SpendLedger` is the local counter; a shared
 * implementation (Redis) plugs in here so every replica checks one total.
 */

/** A daily cap on one scope. */
export interface Cap {
  scope: string;
  cap: number;
}

/** What to reserve: `eur` on every scope, or `alt.eur` once the fullest cap is used up to `alt.at`. */
export interface ReserveRequest {
  day: string;
  scopes: readonly string[];
  caps: readonly Cap[];
  eur: number;
  alt?: { at: number; eur: number };
}

/** The outcome of a reservation. */
export type ReserveOutcome =
  | { ok: true; shifted: boolean; eur: number }
  | {
    ok: false;
    cap: Cap;
    spent: number;
    reserved: number;
    /** The cap is not used up, but the call's reservation (an upper bound of its cost) does not fit it. */
    tooBig?: boolean;
  };

/** A reservation held in the shared counters. */
export interface SharedReservation {
  readonly day: string;
  readonly scopes: readonly string[];
  readonly eur: number;
}

/** Spend counters shared by every replica. */
export interface SpendCounters {
  /**
   * Checks the caps and reserves, atomically across replicas; `null` when the shared counters are
   * unavailable and local limits should answer (a `closed` setup throws a 503 `GatewayError` instead).
   */
  reserve(request: ReserveRequest): Promise<ReserveOutcome | null>;
  /**
   * Releases `reservation` (if any) and books `eur` on `scopes` for `day`; never loses the booking (it is
   * retried until the counters take it). Resolves to the scopes' spent after booking, or `null` when the
   * booking was queued.
   */
  settle(
    reservation: SharedReservation | null,
    booking: { day: string; scopes: readonly string[]; eur: number },
  ): Promise<Record<string, number> | null>;
  /** Sets a day's spent per scope from a rebuild unless it is already there; whether it was set. */
  seed(day: string, spent: Record<string, number>): Promise<boolean>;
  /** The last spent seen of `scope` today (for `/health`). */
  spent(scope: string): number | undefined;
}

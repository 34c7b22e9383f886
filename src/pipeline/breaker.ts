/**
 * Per-target health: a circuit breaker (open after N consecutive failures, one half-open probe after the
 * cooldown) plus the cooldown a 429 asks for, and the count of calls in flight. Time comes in as an
 * argument, so the breaker is a pure state machine that tests drive with a fake clock.
 */
import type { BreakerConfig } from "../config/types.ts";
import type { BreakerState } from "../core/health.ts";

/** Why a target is not tried now. */
export type SkipReason = "breaker_open" | "cooling_down";

/** The answer of {@link Breaker.admit}. */
export type Admission =
  | { ok: true; probe: boolean }
  | { ok: false; reason: SkipReason; until: number };

/** Circuit breaker and 429 cooldown of one target. */
export class Breaker {
  readonly #config: BreakerConfig;
  #failures = 0;
  #open = false;
  #openUntil = 0;
  #probing = false;
  #coolUntil = 0;
  /** Calls to this target in flight (least-inflight routing reads it). */
  inFlight = 0;

  /** A closed breaker; `failures: 0` never opens. */
  constructor(config: BreakerConfig) {
    this.#config = config;
  }

  /** Whether a call may go to the target at `now` (no side effects). */
  peek(now: number): Admission {
    if (now < this.#coolUntil) return { ok: false, reason: "cooling_down", until: this.#coolUntil };
    if (!this.#open) return { ok: true, probe: false };
    if (now < this.#openUntil) return { ok: false, reason: "breaker_open", until: this.#openUntil };
    // One probe at a time; the others wait as if the cooldown had just begun.
    if (this.#probing) return { ok: false, reason: "breaker_open", until: now + this.#config.cooldownMs };
    return { ok: true, probe: true };
  }

  /** Admits a call at `now`; an admitted half-open probe holds the probe slot until its verdict. */
  admit(now: number): Admission {
    const a = this.peek(now);
    if (a.ok && a.probe) this.#probing = true;
    return a;
  }

  /** The target answered (any status that says it is up). */
  success(): void {
    this.#failures = 0;
    this.#open = false;
    this.#probing = false;
  }

  /** The target failed (5xx, timeout, connection error). */
  failure(now: number): void {
    const limit = this.#config.failures;
    this.#failures++;
    if (this.#probing || (limit > 0 && this.#failures >= limit)) {
      this.#open = true;
      this.#openUntil = now + this.#config.cooldownMs;
    }
    this.#probing = false;
  }

  /** The call ended without a verdict (client left, 429): the probe slot is free again. */
  release(): void {
    this.#probing = false;
  }

  /** No calls before `until` (a 429's `Retry-After`). */
  coolDown(until: number): void {
    if (until > this.#coolUntil) this.#coolUntil = until;
  }

  /** Current state at `now`. */
  state(now: number): BreakerState {
    if (!this.#open) return "closed";
    return now < this.#openUntil ? "open" : "half_open";
  }
}

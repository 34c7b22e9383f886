/**
 * Counts withering-token uses. A token with `max_requests` is counted in the store before its call is
 * admitted (one synchronous, atomic UPDATE when the store offers `takeTokenUseSync`), so a crash cannot
 * hand uses back and processes sharing the store share the cap. Uncapped tokens are counted in memory —
 * the hot path never waits for the store — and their increments are written in batches.
 */
import { GatewayError } from "../server/errors.ts";
import type { Store } from "../store/types.ts";

/** Options of `TokenUses`. */
export interface TokenUsesOptions {
  /** Batching delay of store writes; 0 writes on the next microtask. Default 200. */
  flushMs?: number;
  /** Reports a failed store write (the increments are kept and retried with the next batch). */
  onError?: (err: unknown) => void;
}

/** In-memory use counters of tokens, persisted in batches. */
export class TokenUses {
  readonly #store: Pick<Store, "addTokenUses" | "takeTokenUseSync">;
  readonly #count = new Map<string, number>();
  #pending = new Map<string, number>();
  readonly #flushMs: number;
  readonly #onError: (err: unknown) => void;
  #scheduled = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> = Promise.resolve();

  /** Creates the counters over `store`. */
  constructor(store: Pick<Store, "addTokenUses" | "takeTokenUseSync">, options: TokenUsesOptions = {}) {
    this.#store = store;
    this.#flushMs = options.flushMs ?? 200;
    this.#onError = options.onError ?? (() => {});
  }

  /** Takes the stored count into account (the count never goes down). */
  seed(tokenId: string, stored: number): void {
    const known = this.#count.get(tokenId) ?? 0;
    if (stored > known) this.#count.set(tokenId, stored);
  }

  /**
   * Counts one use; `false` (and nothing counted) when it would pass `max`. Throws a 503 `GatewayError`
   * when a capped use cannot be made durable (the call is refused rather than counted in memory only).
   */
  take(tokenId: string, max: number | null): boolean {
    const next = (this.#count.get(tokenId) ?? 0) + 1;
    if (max !== null && next > max) return false;
    if (max !== null && this.#store.takeTokenUseSync !== undefined) return this.#takeDurably(tokenId, max);
    this.#count.set(tokenId, next);
    this.#pending.set(tokenId, (this.#pending.get(tokenId) ?? 0) + 1);
    this.#schedule();
    return true;
  }

  /** Uses counted so far. */
  count(tokenId: string): number {
    return this.#count.get(tokenId) ?? 0;
  }

  /** Writes pending increments now. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#scheduled = false;
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  #takeDurably(tokenId: string, max: number): boolean {
    let stored: number | null;
    try {
      stored = this.#store.takeTokenUseSync!(tokenId, max);
    } catch (err) {
      this.#onError(err);
      throw new GatewayError(503, "store_unavailable", "The gateway cannot count token uses right now", {
        cause: err,
      });
    }
    if (stored === null) {
      this.#count.set(tokenId, Math.max(max, this.#count.get(tokenId) ?? 0));
      return false;
    }
    this.#count.set(tokenId, Math.max(stored, this.#count.get(tokenId) ?? 0));
    return true;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    if (this.#flushMs === 0) {
      queueMicrotask(() => void this.flush());
      return;
    }
    this.#timer = setTimeout(() => void this.flush(), this.#flushMs);
    Deno.unrefTimer(this.#timer as unknown as number);
  }

  async #write(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    try {
      await this.#store.addTokenUses(batch);
    } catch (err) {
      for (const [id, n] of batch) this.#pending.set(id, (this.#pending.get(id) ?? 0) + n);
      this.#onError(err);
    }
  }
}

/**
 * Counts withering-token uses in memory — the authority on this replica, so the hot path never waits for
 * the store — and writes the increments to the store in batches.
 */
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
  readonly #store: Pick<Store, "addTokenUses">;
  readonly #count = new Map<string, number>();
  #pending = new Map<string, number>();
  readonly #flushMs: number;
  readonly #onError: (err: unknown) => void;
  #scheduled = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> = Promise.resolve();

  /** Creates the counters over `store`. */
  constructor(store: Pick<Store, "addTokenUses">, options: TokenUsesOptions = {}) {
    this.#store = store;
    this.#flushMs = options.flushMs ?? 200;
    this.#onError = options.onError ?? (() => {});
  }

  /** Takes the stored count into account (the count never goes down). */
  seed(tokenId: string, stored: number): void {
    const known = this.#count.get(tokenId) ?? 0;
    if (stored > known) this.#count.set(tokenId, stored);
  }

  /** Counts one use; `false` (and nothing counted) when it would pass `max`. */
  take(tokenId: string, max: number | null): boolean {
    const next = (this.#count.get(tokenId) ?? 0) + 1;
    if (max !== null && next > max) return false;
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

/**
 * Token use counts shared by replicas: one script per call counts the use unless it would pass the
 * token's `max_requests`, so a token limited to 10 requests serves 10 in all, whichever replicas take
 * them. The store's count (kept by each replica's `TokenUses`) is the floor of the shared one.
 */
import type { SharedClient } from "./client.ts";
import { evalScript, TAKE } from "./lua.ts";

/** Shared use counters of tokens. */
export interface SharedUses {
  /**
   * Counts one use of `tokenId`: `true` when counted, `false` when it would pass `max`, `null` when Redis
   * is unavailable and local counts should answer (`closed` throws the 503 instead).
   */
  take(tokenId: string, max: number | null, floor: number): Promise<boolean | null>;
}

/** Creates the Redis use counters over `shared`. */
export function createSharedUses(shared: SharedClient): SharedUses {
  return {
    take(tokenId, max, floor) {
      const key = `${shared.prefix}uses:${tokenId}`;
      return shared.run(
        "token_uses",
        async (r) => Number(await evalScript(r, TAKE, [key], [max ?? -1, floor])) >= 0,
        () => null,
      );
    },
  };
}

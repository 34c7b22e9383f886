/**
 * Change notices between replicas over Redis pub/sub: a replica that changes a project, key or token
 * through the management API publishes one, and every replica drops its cached caller lookups, so a
 * revoked key is refused everywhere at once instead of after the cache's second. A reconnect counts as a
 * notice too (one may have been missed while the connection was down).
 */
import type { SharedClient } from "./client.ts";

const CHANNEL = "notices";

/** Notices over one shared client. */
export interface SharedNotices {
  /** Tells every replica that callers changed. */
  announce(): Promise<void>;
  /** Runs `listener` on every notice (this replica's own included) and after each reconnect. */
  listen(listener: () => void): Promise<void>;
}

/** Creates the notices of `shared`. */
export function createSharedNotices(shared: SharedClient): SharedNotices {
  return {
    announce: () => shared.publish(CHANNEL, "callers"),
    async listen(listener) {
      shared.onReady(listener);
      await shared.subscribe(CHANNEL, () => listener());
    },
  };
}

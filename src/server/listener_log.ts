/** The listener's events in the application log, rate-limited: an EMFILE storm must not flood it. */
import type { ListenerEvent } from "./listener.ts";

/** Logs listener events at most once per `everyMs` per kind, with how many were folded in. */
export function listenerEvents(
  log: { warn(msg: string, fields?: Record<string, unknown>): void },
  options: { everyMs?: number; clock?: () => number } = {},
): (event: ListenerEvent) => void {
  const everyMs = options.everyMs ?? 10_000;
  const clock = options.clock ?? (() => performance.now());
  const last = { accept_error: -Infinity, refused: -Infinity };
  const folded = { accept_error: 0, refused: 0 };
  return (event) => {
    if (event.kind === "closed") return;
    if (event.kind === "unguarded") {
      log.warn(
        "This runtime has no per-connection HTTP server: server.max_connections, header_timeout_ms and " +
          "accept-error recovery are off",
      );
      return;
    }
    const now = clock();
    if (now - last[event.kind] < everyMs) {
      folded[event.kind]++;
      return;
    }
    last[event.kind] = now;
    const more = folded[event.kind];
    folded[event.kind] = 0;
    if (event.kind === "accept_error") {
      log.warn("Cannot accept a connection; retrying", {
        error: event.error,
        retry_ms: event.retryMs,
        since_last: more,
      });
    } else {
      log.warn("Refused a connection: server.max_connections reached", {
        open: event.open,
        since_last: more,
      });
    }
  };
}

/** The soft limit of open files from `/proc/self/limits` text, or null when it says none. */
export function openFilesLimit(limits: string): number | null {
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits);
  return m === null || m[1] === "unlimited" ? null : Number(m[1]);
}

/** Descriptors kept for everything but client connections: upstream pools, log files, the store. */
const RESERVED_FDS = 128;

/**
 * A warning when `server.max_connections` cannot be reached before the kernel refuses descriptors (the
 * listener survives EMFILE, but clients beyond the limit wait instead of getting a clean 503); null if fine.
 */
export function connectionCapWarning(maxConnections: number, limits: string | null): string | null {
  const limit = limits === null ? null : openFilesLimit(limits);
  if (limit === null || maxConnections + RESERVED_FDS <= limit) return null;
  return `server.max_connections (${maxConnections}) is above what the open-file limit (${limit}) allows; ` +
    `raise the limit (ulimit -n, LimitNOFILE=) or set max_connections to ${
      Math.max(1, limit - RESERVED_FDS)
    } ` +
    "or less";
}

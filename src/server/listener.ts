/**
 * The gateway's own accept loop in front of Deno's HTTP server. `Deno.serve` accepts in native code with
 * no connection cap and no read deadlines, and an accept error such as EMFILE rejects a promise nobody
 * holds, which ends the process. Here the gateway accepts each TCP connection itself, refuses those
 * beyond `maxConnections` with a canned 503, closes connections that send no complete request head within
 * `headerTimeoutMs` (counted from accept or from the end of the previous response), backs off on accept
 * errors, and hands every accepted connection to the runtime's HTTP server for that one connection.
 * The per-request cost is one counter and one `completed` callback; one timer sweeps all connections.
 */

import { CLOSE_AFTER_RESPONSE } from "../pipeline/body.ts";

/** Per-connection HTTP serving as Deno 2.9 has it internally (`Deno.serve` is built on it). */
type ServeOnConnection = (
  conn: Deno.Conn,
  signal: AbortSignal,
  handler: Deno.ServeHandler<Deno.NetAddr>,
  onError: (err: unknown) => Response | Promise<Response>,
  onListen: (scheme: string) => void,
) => { finished: Promise<void>; shutdown(): Promise<void> };

/** Options of `serveGuarded()`. */
export interface GuardedServeOptions {
  hostname: string;
  port: number;
  /** Open client connections allowed at once; more are answered 503 and closed. */
  maxConnections: number;
  /** Longest wait for a request head, from accept or the end of the previous response. */
  headerTimeoutMs: number;
  /** The response for a handler that throws. */
  onError: (err: unknown) => Response | Promise<Response>;
  /** Told about accept errors (the loop backs off and goes on) and refused connections. */
  onEvent?: (event: ListenerEvent) => void;
  /**
   * Per-connection serving (default: Deno's internal one). `null` (a runtime without it) falls back to
   * plain `Deno.serve`, without cap or deadlines, and says so through `onEvent`.
   */
  serveOnConnection?: ServeOnConnection | null;
  /** Monotonic clock in ms (tests pass a fake). */
  clock?: () => number;
}

/** Something the operator may want to hear about. */
export type ListenerEvent =
  | { kind: "accept_error"; error: Error; retryMs: number }
  | { kind: "refused"; open: number }
  | { kind: "closed"; open: number }
  | { kind: "unguarded" };

/** Both ends of the connection a request came on (one object per connection). */
export interface ConnInfo {
  remoteAddr: Deno.NetAddr;
  localAddr: Deno.NetAddr;
}

/** Counters of the accept loop. */
export interface ListenerStats {
  open: number;
  refused: number;
  timedOut: number;
  acceptErrors: number;
}

/** A listening server with the shape of `Deno.HttpServer` that the gateway uses. */
export interface GuardedServer {
  addr: Deno.NetAddr;
  /** Stops accepting, lets open requests finish and closes idle connections. */
  shutdown(): Promise<void>;
  stats(): ListenerStats;
}

interface Connection {
  active: number;
  idleSince: number;
  /** Set when a response must be the connection's last: closed this long after it (time to flush it). */
  closeAt: number;
  close: AbortController;
}

/** `completed` settles before the runtime has flushed an error response to an unread body. */
const CLOSE_GRACE_MS = 100;

const REFUSED_BODY = JSON.stringify({
  error: {
    message: "The gateway has too many open connections; retry later",
    type: "server_error",
    param: null,
    code: "too_many_connections",
  },
});
const REFUSED = new TextEncoder().encode(
  "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nconnection: close\r\n" +
    `retry-after: 1\r\ncontent-length: ${REFUSED_BODY.length}\r\n\r\n${REFUSED_BODY}`,
);

const MAX_BACKOFF_MS = 1000;

/** The runtime's per-connection server, or null when this Deno build does not expose it. */
export function runtimeServeOnConnection(): ServeOnConnection | null {
  const internal = (Deno as unknown as Record<symbol | string, unknown>)[
    (Deno as unknown as { internal: symbol | string }).internal
  ] as { serveHttpOnConnection?: ServeOnConnection } | undefined;
  return typeof internal?.serveHttpOnConnection === "function" ? internal.serveHttpOnConnection : null;
}

/** Listens on TCP and serves `handler` with a connection cap, header deadlines and a crash-proof accept loop. */
export function serveGuarded(
  options: GuardedServeOptions,
  handler: (req: Request, info: ConnInfo) => Response | Promise<Response>,
): GuardedServer {
  const serveOn = options.serveOnConnection === undefined
    ? runtimeServeOnConnection()
    : options.serveOnConnection;
  if (serveOn === null) return unguarded(options, handler);
  const clock = options.clock ?? (() => performance.now());
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const conns = new Map<Connection, { shutdown(): Promise<void> }>();
  const stats: ListenerStats = { open: 0, refused: 0, timedOut: 0, acceptErrors: 0 };
  let closing = false;

  const sweep = () => {
    const now = clock();
    for (const c of conns.keys()) {
      const due = now - c.idleSince >= options.headerTimeoutMs || now >= c.closeAt;
      if (c.active === 0 && due && !c.close.signal.aborted) {
        stats.timedOut++;
        c.close.abort();
      }
    }
  };
  const sweeper = setInterval(sweep, Math.max(10, Math.min(1000, options.headerTimeoutMs / 4)));
  Deno.unrefTimer(sweeper);

  const refuse = (conn: Deno.Conn) => {
    stats.refused++;
    options.onEvent?.({ kind: "refused", open: stats.open });
    conn.write(REFUSED).catch(() => {}).finally(() => {
      try {
        conn.close();
      } catch {
        // already closed by the peer
      }
    });
  };

  const accept = (conn: Deno.Conn) => {
    const c: Connection = { active: 0, idleSince: clock(), closeAt: Infinity, close: new AbortController() };
    const connInfo: ConnInfo = {
      remoteAddr: conn.remoteAddr as Deno.NetAddr,
      localAddr: conn.localAddr as Deno.NetAddr,
    };
    const perConnection = (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => {
      c.active++;
      const done = () => {
        c.active--;
        c.idleSince = clock();
        if (CLOSE_AFTER_RESPONSE.has(req)) c.closeAt = c.idleSince + CLOSE_GRACE_MS;
      };
      info.completed.then(done, done);
      return handler(req, connInfo);
    };
    const server = serveOn(conn, c.close.signal, perConnection, options.onError, () => {});
    stats.open++;
    conns.set(c, server);
    server.finished.catch(() => {}).finally(() => {
      conns.delete(c);
      stats.open--;
      options.onEvent?.({ kind: "closed", open: stats.open });
    });
  };

  const loop = async () => {
    let backoff = 0;
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (err) {
        if (closing || err instanceof Deno.errors.BadResource || err instanceof Deno.errors.Interrupted) {
          return;
        }
        // EMFILE/ENFILE/ENOBUFS and friends: the pending connection stays queued; retry once descriptors free.
        stats.acceptErrors++;
        backoff = Math.min(MAX_BACKOFF_MS, backoff === 0 ? 5 : backoff * 2);
        options.onEvent?.({ kind: "accept_error", error: err as Error, retryMs: backoff });
        await new Promise((resolve) => setTimeout(resolve, backoff));
        continue;
      }
      backoff = 0;
      if (closing) {
        conn.close();
        return;
      }
      try {
        if (stats.open >= options.maxConnections) refuse(conn);
        else accept(conn);
      } catch (err) {
        // A connection the runtime cannot take (reset before it was handed over) must not end the loop.
        options.onEvent?.({ kind: "accept_error", error: err as Error, retryMs: 0 });
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
    }
  };
  loop();

  return {
    addr: listener.addr as Deno.NetAddr,
    async shutdown() {
      closing = true;
      try {
        listener.close();
      } catch {
        // already closed
      }
      // The sweeper keeps closing stalled connections while open requests finish.
      await Promise.all([...conns.values()].map((s) => s.shutdown().catch(() => {})));
      clearInterval(sweeper);
    },
    stats: () => ({ ...stats }),
  };
}

/** Plain `Deno.serve` for a runtime without per-connection serving: it works, but nothing is guarded. */
function unguarded(
  options: GuardedServeOptions,
  handler: (req: Request, info: ConnInfo) => Response | Promise<Response>,
): GuardedServer {
  options.onEvent?.({ kind: "unguarded" });
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve(
    {
      hostname: options.hostname,
      port: options.port,
      onError: options.onError,
      onListen: () => {},
    },
    (req, info): Response | Promise<Response> =>
      handler(req, { remoteAddr: info.remoteAddr, localAddr: server.addr }),
  );
  return {
    addr: server.addr,
    shutdown: () => server.shutdown(),
    stats: () => ({ open: 0, refused: 0, timedOut: 0, acceptErrors: 0 }),
  };
}

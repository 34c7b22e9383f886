/**
 * A TCP proxy on a fixed local port in front of a server, for fault tests: `stop()` closes the listener
 * and cuts every open connection (the server "goes away"), `start()` listens again on the same port (it
 * "comes back"), and `delayMs` holds every chunk that long (a slow server).
 */

/** A stoppable, slowable TCP proxy. */
export interface TcpProxy {
  port: number;
  /** Delay added to every chunk in both directions. */
  delayMs: number;
  start(): void;
  stop(): Promise<void>;
}

/** A proxy to `target` on a free port (reserved now, listening only after `start()`). */
export function tcpProxy(target: { hostname: string; port: number }): TcpProxy {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  let listener: Deno.Listener | null = null;
  let accepting: Promise<void> = Promise.resolve();
  const open = new Set<Deno.Conn>();
  const proxy: TcpProxy = {
    port,
    delayMs: 0,
    start() {
      if (listener !== null) return;
      const l = Deno.listen({ hostname: "127.0.0.1", port });
      listener = l;
      accepting = (async () => {
        try {
          for await (const client of l) void pipe(client);
        } catch { /* listener closed */ }
      })();
    },
    async stop() {
      generation++;
      listener?.close();
      listener = null;
      await accepting;
      for (const c of open) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
      open.clear();
    },
  };
  const pump = async (from: Deno.Conn, to: Deno.Conn) => {
    const buf = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await from.read(buf);
        if (n === null) break;
        if (proxy.delayMs > 0) await new Promise((r) => setTimeout(r, proxy.delayMs));
        let done = 0;
        while (done < n) done += await to.write(buf.subarray(done, n));
      }
    } catch { /* either side closed */ }
    for (const c of [from, to]) {
      try {
        c.close();
      } catch { /* already closed */ }
      open.delete(c);
    }
  };
  let generation = 0;
  const pipe = async (client: Deno.Conn) => {
    const born = generation;
    let server: Deno.Conn;
    try {
      server = await Deno.connect(target);
    } catch {
      client.close();
      return;
    }
    if (born !== generation) {
      // Stopped while this connection was being set up: it must not outlive the stop.
      client.close();
      server.close();
      return;
    }
    open.add(client);
    open.add(server);
    await Promise.all([pump(client, server), pump(server, client)]);
  };
  return proxy;
}

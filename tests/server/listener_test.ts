import assert from "node:assert/strict";
import { type ListenerEvent, serveGuarded } from "../../src/server/listener.ts";
import { connectionCapWarning, listenerEvents, openFilesLimit } from "../../src/server/listener_log.ts";

const enc = new TextEncoder();

/** Reads until the peer closes; returns what arrived (a reset counts as closed). */
async function readAll(conn: Deno.Conn): Promise<string> {
  const buf = new Uint8Array(4096);
  let out = "";
  for (;;) {
    let n: number | null;
    try {
      n = await conn.read(buf);
    } catch {
      break;
    }
    if (n === null) break;
    out += new TextDecoder().decode(buf.subarray(0, n));
  }
  try {
    conn.close();
  } catch {
    // closed
  }
  return out;
}

async function halfOpen(port: number): Promise<Deno.Conn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(enc.encode("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"));
  return conn;
}

function start(over: { maxConnections?: number; headerTimeoutMs?: number } = {}) {
  const events: ListenerEvent[] = [];
  const waiters: { kind: string; resolve: () => void }[] = [];
  const slowStarted = Promise.withResolvers<void>();
  const server = serveGuarded({
    hostname: "127.0.0.1",
    port: 0,
    maxConnections: over.maxConnections ?? 100,
    headerTimeoutMs: over.headerTimeoutMs ?? 60_000,
    onError: () => new Response("failed", { status: 500 }),
    onEvent: (e) => {
      events.push(e);
      for (const w of waiters.splice(0)) {
        if (w.kind === e.kind) w.resolve();
        else waiters.push(w);
      }
    },
  }, async (req) => {
    if (new URL(req.url).pathname === "/slow") {
      slowStarted.resolve();
      await new Promise((r) => setTimeout(r, 200));
    }
    return new Response(`ok ${req.method}`);
  });
  const next = (kind: ListenerEvent["kind"]) =>
    new Promise<void>((resolve) => waiters.push({ kind, resolve }));
  return {
    server,
    events,
    next,
    slowStarted: slowStarted.promise,
    url: `http://127.0.0.1:${server.addr.port}`,
    port: server.addr.port,
  };
}

Deno.test("serveGuarded() closes a connection that sends no complete head, and keeps serving", async () => {
  const { server, url, port } = start({ headerTimeoutMs: 200 });
  try {
    const stalled = await halfOpen(port);
    const closed = readAll(stalled);
    const client = Deno.createHttpClient({});
    const res = await fetch(`${url}/a`, { client });
    assert.equal(await res.text(), "ok GET");
    const started = performance.now();
    assert.equal(await closed, "");
    assert.ok(performance.now() - started < 5_000);
    assert.equal(server.stats().timedOut >= 1, true);
    client.close();
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveGuarded() closes an idle keep-alive connection after the header timeout", async () => {
  const { server, port } = start({ headerTimeoutMs: 150 });
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(enc.encode("GET /x HTTP/1.1\r\nHost: x\r\n\r\n"));
    const text = await readAll(conn);
    assert.match(text, /^HTTP\/1\.1 200/);
    assert.match(text, /ok GET$/);
    assert.equal(server.stats().open, 0);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveGuarded() does not time out a request that is being answered", async () => {
  const { server, url } = start({ headerTimeoutMs: 50 });
  try {
    const client = Deno.createHttpClient({});
    const res = await fetch(`${url}/slow`, { client });
    assert.equal(await res.text(), "ok GET");
    client.close();
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveGuarded() answers 503 beyond max_connections and accepts again once one closes", async () => {
  const { server, events, next, url, port } = start({ maxConnections: 2 });
  try {
    const a = await halfOpen(port);
    const b = await halfOpen(port);
    const refused = await Deno.connect({ hostname: "127.0.0.1", port });
    const text = await readAll(refused);
    assert.match(text, /^HTTP\/1\.1 503 /);
    const body = JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4));
    assert.equal(body.error.code, "too_many_connections");
    assert.equal(server.stats().refused, 1);
    assert.deepEqual(events.map((e) => e.kind), ["refused"]);
    const freed = next("closed");
    a.close();
    await freed;
    const client = Deno.createHttpClient({});
    const res = await fetch(`${url}/again`, { client });
    assert.equal(await res.text(), "ok GET");
    client.close();
    b.close();
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveGuarded() shutdown lets an open request finish", async () => {
  const { server, url, slowStarted } = start();
  const client = Deno.createHttpClient({});
  const pending = fetch(`${url}/slow`, { client });
  await slowStarted;
  await server.shutdown();
  const res = await pending;
  assert.equal(await res.text(), "ok GET");
  client.close();
  await assert.rejects(() => Deno.connect({ hostname: "127.0.0.1", port: server.addr.port }));
});

Deno.test("listenerEvents() logs each kind at most once per interval and counts the rest", () => {
  let now = 0;
  const lines: [string, Record<string, unknown> | undefined][] = [];
  const on = listenerEvents({ warn: (m, f) => lines.push([m, f]) }, { everyMs: 1000, clock: () => now });
  const error = Object.assign(new Error("Too many open files (os error 24)"), { code: "EMFILE" });
  on({ kind: "accept_error", error, retryMs: 5 });
  on({ kind: "accept_error", error, retryMs: 10 });
  on({ kind: "refused", open: 3 });
  now = 1500;
  on({ kind: "accept_error", error, retryMs: 20 });
  assert.deepEqual(lines.map(([m, f]) => [m, f?.since_last]), [
    ["Cannot accept a connection; retrying", 0],
    ["Refused a connection: server.max_connections reached", 0],
    ["Cannot accept a connection; retrying", 1],
  ]);
});

Deno.test("serveGuarded() falls back to plain Deno.serve, and says so, without a per-connection server", async () => {
  const events: ListenerEvent[] = [];
  const server = serveGuarded({
    hostname: "127.0.0.1",
    port: 0,
    maxConnections: 1,
    headerTimeoutMs: 1000,
    onError: () => new Response(null, { status: 500 }),
    onEvent: (e) => events.push(e),
    serveOnConnection: null,
  }, (_req, info) => new Response(`${info.remoteAddr.hostname} ${info.localAddr.port}`));
  try {
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
    assert.equal(await res.text(), `127.0.0.1 ${server.addr.port}`);
    assert.deepEqual(events, [{ kind: "unguarded" }]);
    assert.equal(server.stats().open, 0);
    const lines: string[] = [];
    listenerEvents({ warn: (m) => lines.push(m) })({ kind: "unguarded" });
    assert.match(lines[0]!, /max_connections, header_timeout_ms and accept-error recovery are off/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("connectionCapWarning() warns when max_connections exceeds the open-file limit", () => {
  const limits = (soft: string) =>
    `Limit                     Soft Limit           Hard Limit           Units     \n` +
    `Max open files            ${soft.padEnd(21)}${soft.padEnd(21)}files     \n`;
  assert.equal(openFilesLimit(limits("1024")), 1024);
  assert.equal(openFilesLimit(limits("unlimited")), null);
  assert.equal(connectionCapWarning(10_000, limits("1048576")), null);
  assert.equal(connectionCapWarning(10_000, null), null);
  assert.equal(connectionCapWarning(10_000, "nothing useful"), null);
  assert.equal(
    connectionCapWarning(10_000, limits("1024")),
    "server.max_connections (10000) is above what the open-file limit (1024) allows; raise the limit " +
      "(ulimit -n, LimitNOFILE=) or set max_connections to 896 or less",
  );
});

/**
 * Attempts are true: an upstream that reads a request and then drops a kept-alive connection receives that
 * request once per attempt the call record counts — the HTTP client never re-sends on its own.
 */
import assert from "node:assert/strict";
import { startGateway } from "../_helpers/gateway.ts";
import { CALLER_KEY } from "../_helpers/app.ts";

const enc = new TextEncoder();
const ANSWER = JSON.stringify({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1,
  model: "gpt-4o",
  choices: [{ index: 0, message: { role: "assistant", content: "Hi" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
});

/**
 * A raw HTTP/1.1 upstream on port 0: answers every request on a kept-alive connection, except that it
 * reads the requests numbered in `drop` (1-based, over all connections) in full and then closes the
 * connection without an answer.
 */
function rawUpstream(drop: ReadonlySet<number>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let posts = 0;
  const conns = new Set<Deno.Conn>();
  const serve = async (conn: Deno.Conn) => {
    conns.add(conn);
    const buf = new Uint8Array(64 * 1024);
    let pending = "";
    try {
      while (true) {
        const n = await conn.read(buf);
        if (n === null) return;
        pending += new TextDecoder().decode(buf.subarray(0, n));
        while (true) {
          const end = pending.indexOf("\r\n\r\n");
          if (end < 0) break;
          const length = Number(/\r\ncontent-length: *(\d+)/i.exec(pending.slice(0, end))?.[1] ?? 0);
          if (pending.length < end + 4 + length) break;
          pending = pending.slice(end + 4 + length);
          posts++;
          if (drop.has(posts)) return;
          await conn.write(enc.encode(
            `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${ANSWER.length}\r\n\r\n${ANSWER}`,
          ));
        }
      }
    } catch {
      // the gateway closed the connection
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  };
  const accepting = (async () => {
    for await (const conn of listener) void serve(conn);
  })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    posts: () => posts,
    async close() {
      listener.close();
      for (const c of conns) c.close();
      await accepting.catch(() => {});
    },
  };
}

const chat = (url: string, content: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${CALLER_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content }] }),
  });

// A large body goes upstream as a `BytesBlob`, streamed from the gateway's buffer: never re-sent either.
for (
  const [retries, size, content] of [[0, "short", "Hello"], [1, "short", "Hello"], [
    0,
    "1 MB",
    "x".repeat(1e6),
  ]] as const
) {
  Deno.test(`an upstream that drops a warm connection after reading the request gets one POST per attempt (retries: ${retries}, ${size} body)`, async () => {
    const upstream = rawUpstream(new Set([2]));
    const gw = await startGateway({
      configure: (config) => {
        config.upstreams[0]!.endpoint = upstream.url;
        config.routing = { retries, backoffMs: 0, maxBackoffMs: 0, breaker: { failures: 0, cooldownMs: 1 } };
      },
    });
    try {
      const warm = await chat(gw.url, content);
      assert.equal(warm.status, 200, await warm.text());
      assert.equal(upstream.posts(), 1);
      const res = await chat(gw.url, content);
      const body = await res.json();
      await gw.recordsReached(2);
      const record = gw.records[1]!;
      assert.equal(upstream.posts() - 1, record.attempts, "POSTs the upstream received for the second call");
      if (retries === 0) {
        assert.equal(res.status, 502, JSON.stringify(body));
        assert.equal(body.error.code, "upstream_unreachable");
        assert.equal(record.attempts, 1);
      } else {
        assert.equal(res.status, 200, JSON.stringify(body));
        assert.equal(record.attempts, 2, "the gateway's own retry is counted");
      }
    } finally {
      await gw.close();
      await upstream.close();
    }
  });
}

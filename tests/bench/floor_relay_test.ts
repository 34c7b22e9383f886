import assert from "node:assert/strict";
import { createFloorRelayHandler } from "../../src/bench/overhead/floor_relay.ts";
import { countTimeouts } from "../_helpers/timers.ts";
import { callWithKey, servedRelay } from "./_fixtures.ts";

type Seen = { url: string; auth: string | null; body: unknown; signal: boolean; client: boolean };

function floorWith(answer: (init: RequestInit) => Promise<Response>) {
  const seen: Seen[] = [];
  const signals: AbortSignal[] = [];
  const handler = createFloorRelayHandler({
    upstream: "http://up.test/",
    callerKey: "caller",
    upstreamKey: "upstream",
    fetch: (input, init) => {
      const i = init as RequestInit & { client?: Deno.HttpClient };
      seen.push({
        url: String(input),
        auth: new Headers(i.headers).get("authorization"),
        body: i.body,
        signal: i.signal instanceof AbortSignal,
        client: i.client !== undefined,
      });
      signals.push(i.signal!);
      return answer(i);
    },
  });
  return { handler, seen, signals };
}

Deno.test("the floor relay checks the key, sends the body as a Blob through its client, and answers a call whole", async () => {
  const { handler, seen } = floorWith(() =>
    Promise.resolve(new Response('{"usage":{}}', { status: 200, headers: { "x-up": "1" } }))
  );
  try {
    const res = await callWithKey(handler, '{"stream":false}');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-up"), "1");
    assert.equal(await res.text(), '{"usage":{}}');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.url, "http://up.test/openai/x?api-version=1");
    assert.equal(seen[0]!.auth, "Bearer upstream");
    assert.ok(seen[0]!.body instanceof Blob, "a body the HTTP client cannot re-send by itself");
    assert.equal(await (seen[0]!.body as Blob).text(), '{"stream":false}');
    assert.ok(seen[0]!.signal && seen[0]!.client);
  } finally {
    handler.close();
  }
});

Deno.test("the floor relay relays a stream through its own ReadableStream, and a client that leaves aborts the upstream", async () => {
  const events = "data: 1\n\n" + "data: 2\n\n".repeat(1000);
  let calls = 0;
  const { handler, signals } = floorWith((init) => {
    if (calls++ === 0) return Promise.resolve(new Response(events, { status: 200 }));
    // The second call hangs until the relay aborts it (or fails at once when it comes aborted).
    const signal = init.signal!;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
  });
  try {
    const res = await handler(
      new Request("http://relay/v1/chat", {
        method: "POST",
        headers: { authorization: "Bearer caller" },
        body: '{"stream":true}',
      }),
    );
    assert.equal(await res.text(), events);

    const leaving = new AbortController();
    const pending = handler(
      new Request("http://relay/v1/chat", {
        method: "POST",
        headers: { authorization: "Bearer caller" },
        body: "not json",
        signal: leaving.signal,
      }),
    );
    await Promise.resolve();
    leaving.abort();
    const gone = await pending;
    assert.equal(signals[1]!.aborted, true);
    assert.equal(gone.status, 502);
    await gone.body?.cancel();
  } finally {
    handler.close();
  }
});

Deno.test("the floor relay answers 502 when the upstream cannot be reached", async () => {
  const { handler } = floorWith(() => Promise.reject(new TypeError("connection refused")));
  try {
    const res = await handler(
      new Request("http://relay/v1/chat", { method: "POST", headers: { "api-key": "caller" }, body: "{}" }),
    );
    assert.equal(res.status, 502);
    await res.body?.cancel();
  } finally {
    handler.close();
  }
});

Deno.test("serveRelay({ floor: true }) serves the floor relay and closes its client when stopped", async () => {
  const relay = await servedRelay({ floor: true });
  const res = await fetch(relay.url, { method: "POST", headers: { "api-key": "c" }, body: "{}" });
  assert.equal(res.status, 502, "nothing listens on port 9");
  await res.body?.cancel();
  await relay.stop();
});

Deno.test("the bare floor relay sets no timer and leaves the client's connection alone", async () => {
  const timers = countTimeouts();
  const handler = createFloorRelayHandler({
    upstream: "http://up.test",
    callerKey: "caller",
    upstreamKey: "upstream",
    bare: true,
    fetch: () => Promise.resolve(new Response('{"ok":true}')),
  });
  try {
    const leaving = new AbortController();
    const res = await handler(
      new Request("http://relay/v1/chat", {
        method: "POST",
        headers: { authorization: "Bearer caller" },
        body: "{}",
        signal: leaving.signal,
      }),
    );
    assert.equal(await res.text(), '{"ok":true}');
    assert.equal(timers.count(), 0);
  } finally {
    timers.restore();
    handler.close();
  }
});

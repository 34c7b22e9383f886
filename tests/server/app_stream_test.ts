import assert from "node:assert/strict";
import { appWith, post } from "../_helpers/app.ts";

const enc = new TextEncoder();
const chunk = (content: string | null, extra = "") =>
  `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{${
    content === null ? "" : `"content":"${content}"`
  }},"finish_reason":${content === null ? '"stop"' : "null"}}]${extra}}\n\n`;

/** Builds an upstream SSE body; with usage every chunk carries `"usage":null` and a usage chunk ends it. */
function sse(withUsage: boolean): string[] {
  const extra = withUsage ? ',"usage":null' : "";
  const parts = [chunk("Hel", extra), chunk("lo", extra), chunk(null, extra)];
  if (withUsage) {
    parts.push(
      `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}\n\n`,
    );
  }
  parts.push("data: [DONE]\n\n");
  return parts;
}

function sseResponse(parts: string[]): Response {
  return new Response(ReadableStream.from(parts.map((p) => enc.encode(p))), {
    headers: { "content-type": "text/event-stream" },
  });
}

Deno.test("createApp() hides the usage it asked for when the client did not", async () => {
  const { app, seen, records, recordsReached } = appWith((req) => {
    return req.json().then((b) => sseResponse(sse(b.stream_options?.include_usage === true)));
  });
  const res = await app(post("/v1/chat/completions", { model: "gpt-4o", stream: true, messages: [] }));
  assert.equal(await res.text(), sse(false).join(""), "the client sees the stream it asked for");
  assert.deepEqual(JSON.parse(seen[0]!.body).stream_options, { include_usage: true });
  await recordsReached(1);
  const rec = records[0]!;
  assert.equal(rec.stream, true);
  assert.equal(rec.status, 200);
  assert.equal(rec.usage?.promptTokens, 5);
  assert.equal(rec.assembled?.content, "Hello");
});

Deno.test("createApp() relays a stream with usage unchanged when the client asked for it", async () => {
  const { app, seen, records, recordsReached } = appWith(() => sseResponse(sse(true)));
  const body = { model: "gpt-4o", stream: true, stream_options: { include_usage: true }, messages: [] };
  const res = await app(post("/v1/chat/completions", body));
  assert.equal(await res.text(), sse(true).join(""));
  assert.equal(seen[0]!.body, JSON.stringify(body), "no rewrite needed");
  await recordsReached(1);
  assert.equal(records[0]!.usage?.totalTokens, 7);
});

Deno.test("createApp() relays each chunk before the next one exists", async () => {
  let push!: (s: string) => void;
  let close!: () => void;
  const body = new ReadableStream<Uint8Array>({
    start(ctl) {
      push = (s) => ctl.enqueue(enc.encode(s));
      close = () => ctl.close();
    },
  });
  const { app, records, recordsReached } = appWith(() =>
    new Response(body, { headers: { "content-type": "text/event-stream" } })
  );
  // The response is committed once its first chunk exists (until then a failure can still be retried).
  const pending = app(
    post("/v1/chat/completions", { model: "gpt-4o", stream: true, stream_options: { include_usage: true } }),
  );
  push(chunk("a"));
  const res = await pending;
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  assert.equal(dec.decode((await reader.read()).value), chunk("a"));
  push(chunk("b"));
  assert.equal(dec.decode((await reader.read()).value), chunk("b"));
  close();
  assert.equal((await reader.read()).done, true);
  await recordsReached(1);
  assert.equal(records[0]!.assembled?.content, "ab");
});

Deno.test("createApp() aborts the upstream when the client leaves and records client_closed", async () => {
  let upstreamCancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(ctl) {
      ctl.enqueue(enc.encode(chunk("first")));
    },
    cancel() {
      upstreamCancelled = true;
    },
  });
  const { app, seen, records, recordsReached } = appWith(() =>
    new Response(body, { headers: { "content-type": "text/event-stream" } })
  );
  const client = new AbortController();
  const req = new Request("http://gw/v1/chat/completions", {
    method: "POST",
    headers: post("/", {}).headers,
    body: JSON.stringify({ model: "gpt-4o", stream: true, stream_options: { include_usage: true } }),
    signal: client.signal,
  });
  const res = await app(req);
  const reader = res.body!.getReader();
  await reader.read();
  client.abort();
  await reader.cancel();
  await recordsReached(1);
  assert.equal(records[0]!.status, "client_closed");
  assert.equal(records[0]!.assembled?.content, "first");
  assert.equal(seen[0]!.signal?.aborted, true);
  assert.equal(upstreamCancelled, true);
});

Deno.test("createApp() ends a broken stream with an error event and records it", async () => {
  const body = new ReadableStream<Uint8Array>({
    start(ctl) {
      ctl.enqueue(enc.encode(chunk("partial")));
    },
    pull(ctl) {
      ctl.error(new TypeError("error reading a body from connection: connection reset"));
    },
  });
  const { app, records, recordsReached } = appWith(() =>
    new Response(body, { headers: { "content-type": "text/event-stream" } })
  );
  const res = await app(
    post("/v1/chat/completions", { model: "gpt-4o", stream: true, stream_options: { include_usage: true } }),
  );
  const text = await res.text();
  assert.ok(text.startsWith(chunk("partial")));
  const last = JSON.parse(text.trim().split("\n").at(-1)!.slice(6));
  assert.equal(last.error.code, "upstream_unreachable");
  assert.match(last.error.message, /connection reset/);
  await recordsReached(1);
  assert.equal(records[0]!.status, 502);
  assert.equal(records[0]!.error?.code, "upstream_unreachable");
});

Deno.test("createApp() cuts a stream that goes quiet for longer than the idle timeout", async () => {
  const body = new ReadableStream<Uint8Array>({
    start(ctl) {
      ctl.enqueue(enc.encode(chunk("x")));
    },
  });
  const { app, records, recordsReached } = appWith(() => {
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  }, { upstream: { timeouts: { firstByteMs: 0, idleMs: 40, totalMs: 0 } } });
  const res = await app(
    post("/v1/chat/completions", { model: "gpt-4o", stream: true, stream_options: { include_usage: true } }),
  );
  const text = await res.text();
  assert.match(text, /upstream_timeout/);
  await recordsReached(1);
  assert.equal(records[0]!.status, 504);
});

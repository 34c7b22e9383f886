import assert from "node:assert/strict";
import { translateEvents } from "../../src/pipeline/translate_stream.ts";
import { chatFromMessages } from "../../src/providers/anthropic/translators.ts";
import type { SseEvent } from "../../src/streams/sse.ts";
import { fixtureText } from "../providers/_fixtures.ts";

async function run(chunks: Uint8Array[]): Promise<{ out: string; seen: SseEvent[]; writes: number }> {
  const seen: SseEvent[] = [];
  let writes = 0;
  const stream = ReadableStream.from(chunks).pipeThrough(
    new TransformStream(
      translateEvents(chatFromMessages({ created: 1, includeUsage: true }).stream(), (e) => seen.push(e)),
    ),
  );
  let out = "";
  const dec = new TextDecoder();
  for await (const c of stream) {
    writes++;
    out += dec.decode(c, { stream: true });
  }
  return { out, seen, writes };
}

Deno.test("translateEvents() gives the same output however the upstream bytes are split", async () => {
  const bytes = new TextEncoder().encode(fixtureText("anthropic/stream_tool_use.sse"));
  const whole = await run([bytes]);
  assert.equal(whole.writes, 1, "one write per upstream chunk, not per event");
  assert.equal(whole.seen.length, 15, "every upstream event reaches the assembler");
  for (const size of [1, 7, 64]) {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += size) parts.push(bytes.slice(i, i + size));
    const split = await run(parts);
    assert.equal(split.out, whole.out, `chunks of ${size} bytes (multi-byte characters split too)`);
  }
  assert.match(whole.out, /prüfe das Wetter in München ☀️/);
  assert.ok(whole.out.endsWith("data: [DONE]\n\n"));
});

Deno.test("translateEvents() dispatches a last event that lacks its blank line", async () => {
  const text = 'event: message_stop\ndata: {"type":"message_stop"}';
  const { out } = await run([new TextEncoder().encode(text)]);
  assert.ok(
    out.endsWith(
      '"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0,"prompt_tokens_details":{"cached_tokens":0}}}\n\ndata: [DONE]\n\n',
    ),
  );
});

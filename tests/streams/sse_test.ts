import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { createParser } from "eventsource-parser";
import { type SseEvent, sseTap } from "../../src/streams/sse.ts";
import { bytes, chunkings, concat, fixture, run, splitAt, text, withEol } from "./_util.ts";

const SAMPLES = [
  "openai_chat.sse",
  "openai_chat_usage.sse",
  "openai_tools_usage.sse",
  "azure_chat_usage.sse",
  "responses.sse",
  "anthropic.sse",
];

/** The events of `b` parsed in one piece: the reference the chunked runs must match. */
function reference(b: Uint8Array): SseEvent[] {
  const events: SseEvent[] = [];
  const p = createParser({ onEvent: (e) => events.push({ event: e.event, data: e.data, id: e.id }) });
  p.feed(text(b));
  return events;
}

async function tap(chunks: Uint8Array[]): Promise<{ out: Uint8Array[]; events: SseEvent[] }> {
  const events: SseEvent[] = [];
  const out = await run(new TransformStream(sseTap((e) => events.push({ ...e }))), chunks);
  return { out, events };
}

Deno.test("sseTap() relays every byte unchanged for every chunking", async (t) => {
  for (const name of SAMPLES) {
    for (const eol of ["\n", "\r\n", "\r"] as const) {
      await t.step(`${name} with ${JSON.stringify(eol)} line ends`, async () => {
        const input = eol === "\n" ? fixture(name) : withEol(fixture(name), eol);
        const want = reference(input);
        for (const chunks of chunkings(input, eol === "\n" ? 20 : 5)) {
          const { out, events } = await tap(chunks);
          // The very same chunks, in order: nothing is re-split, merged or held back.
          assertEquals(out, chunks);
          assertEquals(events, want);
        }
      });
    }
  }
});

Deno.test("sseTap() decodes multi-byte characters split across chunks", async () => {
  const input = bytes('data: {"t":"Grüße 👋 こんにちは"}\n\n');
  const want = [{ event: undefined, data: '{"t":"Grüße 👋 こんにちは"}', id: undefined }];
  for (let i = 0; i <= input.length; i++) {
    for (let j = i; j <= input.length; j += 3) {
      const { out, events } = await tap(splitAt(input, [i, j]));
      assertEquals(concat(out), input);
      assertEquals(events, want);
    }
  }
});

Deno.test("sseTap() parses multi-line data, comments, event names and ids", async () => {
  const input = bytes(
    ": keep-alive\r\n\r\nevent: update\r\nid: 7\r\ndata: line one\r\ndata:line two\r\n\r\n" +
      "retry: 1000\n\ndata\n\n",
  );
  const { events } = await tap([input]);
  assertEquals(events, [
    { event: "update", data: "line one\nline two", id: "7" },
    { event: undefined, data: "", id: undefined },
  ]);
});

Deno.test("sseTap() forwards a chunk before its event is complete", async () => {
  const events: SseEvent[] = [];
  const stream = new TransformStream(sseTap((e) => events.push(e)));
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const part = bytes('data: {"choices":[{"delta":{"content":"Hel');
  void writer.write(part);
  assertEquals((await reader.read()).value, part);
  assertEquals(events.length, 0);
  void writer.write(bytes('lo"}}]}\n\n'));
  await reader.read();
  assertEquals(events.length, 1);
  void writer.close();
  assertEquals((await reader.read()).done, true);
});

Deno.test("sseTap() dispatches an event the stream ends without its blank line", async () => {
  for (const tail of ["", "\n", "\r", "\r\n"]) {
    const { events } = await tap([bytes(`data: a\n\ndata: b${tail}`)]);
    assertEquals(events.map((e) => e.data), ["a", "b"]);
  }
  const { events } = await tap([bytes("data: a\n\n")]);
  assertEquals(events.length, 1);
});

Deno.test("sseTap() keeps relaying when parsing throws", async () => {
  const input = fixture("openai_chat_usage.sse");
  const errors: unknown[] = [];
  let calls = 0;
  const stream = new TransformStream(sseTap(() => {
    calls++;
    throw new Error("boom");
  }, { onError: (e) => errors.push(e) }));
  const chunks = splitAt(input, [10, 500, 900, 1500]);
  assertEquals(await run(stream, chunks), chunks);
  assertEquals(calls, 1);
  assertEquals(errors.length, 1);
});

Deno.test("sseTap() keeps relaying when the error reporter throws too", async () => {
  const chunks = splitAt(fixture("anthropic.sse"), [100, 700]);
  const stream = new TransformStream(sseTap(() => {
    throw new Error("boom");
  }, {
    onError: () => {
      throw new Error("again");
    },
  }));
  assertEquals(await run(stream, chunks), chunks);
});

Deno.test("sseTap() relays invalid UTF-8 untouched", async () => {
  const input = concat([bytes("data: "), new Uint8Array([0xff, 0xc3]), bytes("\n\n")]);
  const { out, events } = await tap([input]);
  assertEquals(out, [input]);
  assertEquals(events.length, 1);
});

import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import type { SseEvent } from "../../src/streams/sse.ts";
import { usageStrip } from "../../src/streams/usage_strip.ts";
import { bytes, chunkings, concat, fixture, run, splitAt, text, withEol } from "./_util.ts";

const PAIRS = [
  ["openai_chat_usage.sse", "openai_chat.sse"],
  ["azure_chat_usage.sse", "azure_chat.sse"],
  ["openai_chat_obfuscation_usage.sse", "openai_chat_obfuscation.sse"],
] as const;

async function strip(chunks: Uint8Array[]): Promise<{ out: Uint8Array[]; events: SseEvent[] }> {
  const events: SseEvent[] = [];
  const out = await run(new TransformStream(usageStrip((e) => events.push(e))), chunks);
  return { out, events };
}

/** The data of every event in an LF-separated sample. */
function dataOf(b: Uint8Array): string[] {
  return text(b).split("\n\n").filter((s) => s !== "").map((s) => s.slice("data: ".length));
}

Deno.test("usageStrip() removes the injected usage chunk", async (t) => {
  for (const [withUsage, without] of PAIRS) {
    for (const eol of ["\n", "\r\n", "\r"] as const) {
      await t.step(`${withUsage} with ${JSON.stringify(eol)} line ends`, async () => {
        const fix = (b: Uint8Array) => eol === "\n" ? b : withEol(b, eol);
        const input = fix(fixture(withUsage));
        const want = fix(fixture(without));
        const wantData = dataOf(fixture(withUsage));
        for (const chunks of chunkings(input, eol === "\n" ? 20 : 5)) {
          const { out, events } = await strip(chunks);
          assertEquals(text(concat(out)), text(want));
          assertEquals(events.map((e) => e.data), wantData);
          ok(out.every((c) => c.length > 0));
        }
      });
    }
  }
});

Deno.test("usageStrip() keeps Azure's prompt_filter_results chunk", async () => {
  const { out, events } = await strip([fixture("azure_chat_usage.sse")]);
  const first = text(concat(out)).split("\n\n")[0]!;
  ok(first.includes('"choices":[]') && first.includes("prompt_filter_results"));
  ok(events[0]!.data.includes("prompt_filter_results"));
  ok(JSON.parse(events.at(-2)!.data).usage.prompt_tokens === 1310);
});

Deno.test("usageStrip() passes a chunk of complete events on as one chunk", async () => {
  const input = fixture("openai_chat.sse");
  const { out } = await strip([input]);
  assertEquals(out.length, 1);
  ok(out[0] === input, "an unchanged chunk is forwarded as the same object");
});

Deno.test("usageStrip() forwards each complete event at once and holds only a partial one", async () => {
  const stream = new TransformStream(usageStrip(() => {}));
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  void writer.write(bytes('data: {"a":1,"usage":null}\n\ndata: {"b":'));
  assertEquals(text((await reader.read()).value!), 'data: {"a":1}\n\n');
  void writer.write(bytes('2,"usage":null}\n'));
  void writer.write(bytes("\n"));
  assertEquals(text((await reader.read()).value!), 'data: {"b":2}\n\n');
  void writer.write(bytes('data: [DONE]\n\ndata: {"choices":[],"usage":{"total_tokens":1}}\n\n: end\n\n'));
  assertEquals(text((await reader.read()).value!), "data: [DONE]\n\n: end\n\n");
  void writer.close();
  assertEquals((await reader.read()).done, true);
});

Deno.test("usageStrip() cuts usage:null wherever it is a top-level member", async (t) => {
  const cases: [string, string][] = [
    ['{"usage":null,"a":1}', '{"a":1}'],
    ['{"a":1, "usage" : null ,"b":"x"}', '{"a":1 ,"b":"x"}'],
    ['{"usage":null}', "{}"],
    ['{"a":"é \\"usage\\":null","usage":null,"o":"👋"}', '{"a":"é \\"usage\\":null","o":"👋"}'],
    ['{"choices":[{"delta":{"usage":null}}],"x":1}', '{"choices":[{"delta":{"usage":null}}],"x":1}'],
    ['{"a":[1,{"b":"]"}],"usage":null,"c":{}}', '{"a":[1,{"b":"]"}],"c":{}}'],
    ['{"broken":"usage":null', '{"broken":"usage":null'],
    ["not json", "not json"],
  ];
  for (const [data, want] of cases) {
    await t.step(data, async () => {
      const { out, events } = await strip(splitAt(bytes(`id: 1\ndata: ${data}\n\n`), [3]));
      assertEquals(text(concat(out)), `id: 1\ndata: ${want}\n\n`);
      assertEquals(events, [{ event: undefined, data, id: "1" }]);
    });
  }
});

Deno.test("usageStrip() re-serialises data split over several lines", async () => {
  const { out } = await strip([bytes('event: x\r\ndata: {"a":1,\r\ndata: "usage":null}\r\n\r\n')]);
  assertEquals(text(concat(out)), 'event: x\r\ndata: {"a":1}\r\n\r\n');
  const broken = 'data: {"a":\ndata: ,"usage":null}\n\n';
  assertEquals(text(concat((await strip([bytes(broken)])).out)), broken);
  const usageChunk = await strip([bytes('data: {"choices":[],\ndata: "usage":{"total_tokens":3}}\n\n')]);
  assertEquals(usageChunk.out, []);
});

Deno.test("usageStrip() keeps comments, empty events and usage on chunks with choices", async () => {
  const input = ': ping\n\n\n\ndata: {"choices":[{"index":0}],"usage":{"total_tokens":5}}\n\n';
  const { out, events } = await strip([bytes(input)]);
  assertEquals(text(concat(out)), input);
  assertEquals(events.length, 1);
});

Deno.test("usageStrip() drops the usage chunk a stream ends without its blank line", async () => {
  const input =
    'data: {"choices":[{"index":0}],"usage":null}\n\ndata: {"choices":[],"usage":{"total_tokens":5}}';
  for (const chunks of chunkings(bytes(input), 0)) {
    const { out, events } = await strip(chunks);
    assertEquals(text(concat(out)), 'data: {"choices":[{"index":0}]}\n\n');
    assertEquals(events.length, 2);
  }
});

Deno.test("usageStrip() keeps stripping when onEvent throws", async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const stream = new TransformStream(usageStrip(() => {
    calls++;
    throw new Error("boom");
  }, { onError: (e) => errors.push(e) }));
  const out = await run(stream, splitAt(fixture("openai_chat_usage.sse"), [700, 1400]));
  assertEquals(text(concat(out)), text(fixture("openai_chat.sse")));
  assertEquals([calls, errors.length], [1, 1]);
});

Deno.test("usageStrip() relays bytes unchanged after an internal failure", async () => {
  const input = fixture("openai_chat_usage.sse");
  const errors: unknown[] = [];
  // A chunk whose slicing fails makes the event handling throw inside the stream.
  class Poisoned extends Uint8Array {
    override subarray(): Uint8Array<ArrayBuffer> {
      throw new Error("boom");
    }
  }
  const [a, b, c] = splitAt(input, [100, 700]);
  const stream = new TransformStream(usageStrip(() => {}, { onError: (e) => errors.push(e) }));
  const out = await run(stream, [a!, new Poisoned(b!), c!]);
  assertEquals(text(concat(out)), text(input));
  assertEquals(errors.length, 1);
});

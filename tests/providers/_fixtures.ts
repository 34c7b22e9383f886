/** Recorded wire samples of tests/fixtures/providers, as JSON values and parsed SSE events. */
import { createParser } from "eventsource-parser";
import type { SseEvent } from "../../src/streams/sse.ts";

const ROOT = new URL("../fixtures/providers/", import.meta.url);

/** The text of a fixture file. */
export function fixtureText(name: string): string {
  return Deno.readTextFileSync(new URL(name, ROOT));
}

/** A JSON fixture. */
export function fixtureJson(name: string): Record<string, unknown> {
  return JSON.parse(fixtureText(name));
}

/** The events of an SSE fixture, as the gateway's parser dispatches them. */
export function fixtureEvents(name: string): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e as SseEvent) });
  parser.feed(fixtureText(name));
  parser.feed("\n\n");
  return events;
}

/** Parses the SSE text a translator produced into `{event, data}` pairs (data parsed unless `[DONE]`). */
export function parseSse(text: string): { event: string | undefined; data: unknown }[] {
  const out: { event: string | undefined; data: unknown }[] = [];
  const parser = createParser({
    onEvent: (e) => out.push({ event: e.event, data: e.data === "[DONE]" ? "[DONE]" : JSON.parse(e.data) }),
  });
  parser.feed(text);
  return out;
}

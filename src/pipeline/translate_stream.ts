/**
 * A stream of upstream server-sent events rewritten into the client's wire format: each chunk is parsed
 * as SSE once, every event goes to `onEvent` (the assembler, which reads the upstream's format for usage
 * and logs) and to the translator, whose output is sent on as soon as an event is complete.
 */
import { createParser, type EventSourceMessage, type EventSourceParser } from "eventsource-parser";
import type { StreamTranslator } from "../providers/types.ts";
import type { SseEvent } from "../streams/sse.ts";

const ENCODER = new TextEncoder();

/** Parses upstream SSE and emits the translator's events as bytes; `onEvent` sees every upstream event first. */
export function translateEvents(
  translator: StreamTranslator,
  onEvent: (ev: SseEvent) => void,
): Transformer<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  let out = "";
  const parser: EventSourceParser = createParser({
    onEvent(msg: EventSourceMessage) {
      const ev = msg as SseEvent;
      onEvent(ev);
      out += translator.push(ev);
    },
  });
  const emit = (controller: Pick<TransformStreamDefaultController<Uint8Array>, "enqueue">) => {
    if (out === "") return;
    controller.enqueue(ENCODER.encode(out));
    out = "";
  };
  return {
    transform(chunk, controller) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      emit(controller);
    },
    flush(controller) {
      parser.feed(decoder.decode() + "\n\n");
      out += translator.end();
      emit(controller);
    },
  };
}

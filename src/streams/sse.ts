/**
 * A pass-through tap: bytes go to the client unchanged and first; a side SSE parser reports events.
 * @module
 */
import { createParser, type EventSourceMessage, type EventSourceParser } from "eventsource-parser";

/** One server-sent event as dispatched by the SSE parser (data lines joined with "\n"). */
export interface SseEvent {
  event: string | undefined;
  data: string;
  id: string | undefined;
}

/** Options of {@link sseTap}. */
export interface SseTapOptions {
  /** Called once when parsing stops after an exception (the relay keeps going). */
  onError?: (err: unknown) => void;
}

/**
 * The tap as a transformer: relays every chunk unchanged the moment it arrives, then parses it as SSE
 * and calls `onEvent`. An exception in the parser or in `onEvent` stops parsing but never the relay. An
 * event the stream ends without its blank line is still dispatched, so its usage is not lost. The relay
 * drives it directly inside its own stream; tests wrap it in a `TransformStream`.
 */
export function sseTap(
  onEvent: (ev: SseEvent) => void,
  options: SseTapOptions = {},
): Transformer<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  let parser: EventSourceParser | undefined = createParser({
    // The parser always sets all three keys, so its message is a SseEvent without a copy.
    onEvent: onEvent as (msg: EventSourceMessage) => void,
  });
  const fail = (err: unknown) => {
    parser = undefined;
    try {
      options.onError?.(err);
    } catch {
      // A failing error reporter must not break the relay either.
    }
  };
  return {
    transform(chunk, controller) {
      controller.enqueue(chunk);
      if (parser === undefined) return;
      try {
        parser.feed(decoder.decode(chunk, { stream: true }));
      } catch (err) {
        fail(err);
      }
    },
    flush() {
      if (parser === undefined) return;
      try {
        // Terminates a pending line and dispatches a pending event; blank lines after a
        // complete event dispatch nothing.
        parser.feed(decoder.decode() + "\n\n");
      } catch (err) {
        fail(err);
      }
    },
  };
}

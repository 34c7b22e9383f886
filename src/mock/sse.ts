/**
 * Body streams of the mock: server-sent events with optional pacing, and injected connection resets.
 */

const encoder = new TextEncoder();

/** The error a mock body stream fails with to drop the connection; prints as one line. */
export class MockResetError extends Error {
  /** Creates the error. */
  constructor() {
    super("Connection reset by the mock upstream (x-mock-fault)");
    this.name = "MockResetError";
  }

  /** Deno.serve logs the stream error; one line is enough. */
  [Symbol.for("Deno.customInspect")](): string {
    return `${this.name}: ${this.message}`;
  }
}

/** How a body is paced and cut. */
export interface StreamPlan {
  /** Delay between events in milliseconds (0: all at once). */
  chunkDelayMs: number;
  /** When set, the connection drops after this many events. */
  resetAfter: number | undefined;
  /** Stops the stream and its timers. */
  signal: AbortSignal;
}

/**
 * A body stream that sends `events` as the plan says; timers are cleared on cancel or abort.
 * A planned reset errors the stream only once the consumer has taken the events before it, since
 * erroring a stream discards what is still queued.
 */
export function eventStream(events: string[], plan: StreamPlan): ReadableStream<Uint8Array> {
  const cut = plan.resetAfter;
  const count = cut === undefined ? events.length : Math.min(cut, events.length);
  const end = (c: ReadableStreamDefaultController<Uint8Array>) => {
    if (cut === undefined) c.close();
    else c.error(new MockResetError());
  };
  if (plan.chunkDelayMs <= 0) {
    const text = count === events.length ? events.join("") : events.slice(0, count).join("");
    return new ReadableStream({
      start(c) {
        if (text.length > 0) c.enqueue(encoder.encode(text));
        if (cut === undefined) c.close();
      },
      pull: end,
    });
  }
  let next = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const stop = () => {
    plan.signal.removeEventListener("abort", onAbort);
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    wake?.();
    wake = undefined;
  };
  const onAbort = () => {
    stop();
    try {
      controller?.error(plan.signal.reason);
    } catch { /* already closed */ }
  };
  const send = (c: ReadableStreamDefaultController<Uint8Array>) => {
    c.enqueue(encoder.encode(events[next++] ?? ""));
    if (next >= count && cut === undefined) {
      stop();
      c.close();
    }
  };
  return new ReadableStream({
    start(c) {
      controller = c;
      if (plan.signal.aborted) return c.error(plan.signal.reason);
      plan.signal.addEventListener("abort", onAbort, { once: true });
      if (count > 0) send(c);
      else if (cut === undefined) {
        stop();
        c.close();
      }
    },
    pull(c) {
      if (next >= count) {
        stop();
        return end(c);
      }
      return new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(() => {
          timer = undefined;
          wake = undefined;
          try {
            send(c);
          } catch {
            // The reader went away between two events (the client's connection was reset).
            stop();
          }
          resolve();
        }, plan.chunkDelayMs);
      });
    },
    cancel: stop,
  }, { highWaterMark: 0 });
}

/** A streamed (`text/event-stream`) response. */
export function sseResponse(events: string[], headers: Record<string, string>, plan: StreamPlan): Response {
  return new Response(eventStream(events, plan), { status: 200, headers });
}

/** A JSON response; with a reset planned, only the first half of the body is sent before the drop. */
export function bodyResponse(
  body: string | Uint8Array<ArrayBuffer>,
  headers: Record<string, string>,
  plan: StreamPlan,
): Response {
  if (plan.resetAfter === undefined) return new Response(body, { status: 200, headers });
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const half = plan.resetAfter === 0 ? 0 : Math.floor(bytes.length / 2);
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      if (half > 0) c.enqueue(bytes.slice(0, half));
    },
    pull(c) {
      c.error(new MockResetError());
    },
  });
  return new Response(stream, { status: 200, headers });
}

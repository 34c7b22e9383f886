/**
 * Stream relay. Upstream events are relayed chunk by chunk as they arrive through the SSE tap (or the
 * usage strip, when the gateway asked for usage itself, or the translator, when the client speaks
 * another wire format); a failure mid-stream ends the client's stream with an error event in its
 * dialect, and a client that leaves aborts the upstream. `prime()` reads the first chunk before the
 * response is committed, so a failure before any byte reached the client can still be retried.
 */
import type { StreamTranslator } from "../providers/types.ts";
import type { Dialect } from "../server/errors.ts";
import { GatewayError } from "../server/errors.ts";
import { createAssembler } from "../streams/assemble.ts";
import { type SseEvent, sseTap } from "../streams/sse.ts";
import type { Assembled, Operation } from "../streams/types.ts";
import { usageStrip } from "../streams/usage_strip.ts";
import type { UpstreamCall } from "./forward.ts";
import { translateEvents } from "./translate_stream.ts";

/** How a relayed stream ended. */
export type StreamEnd =
  | { kind: "complete"; assembled: Assembled }
  | { kind: "client_closed"; assembled: Assembled }
  | { kind: "error"; assembled: Assembled; error: GatewayError };

/** Options of {@link createRelay}. */
export interface RelayOptions {
  call: UpstreamCall;
  /** The client's operation and dialect (error events are written in them). */
  operation: Operation;
  dialect: Dialect;
  /** The upstream's operation (the assembler reads its events). */
  upstreamOperation: Operation;
  injectedUsage: boolean;
  /** Rewrites the events into the client's wire format; null relays bytes unchanged. */
  translator: StreamTranslator | null;
  now: () => number;
  /** Runs exactly once after a successful `prime()`: when the stream completes, fails or the client leaves. */
  onEnd: (end: StreamEnd) => void;
}

/** A relayed stream that is not yet committed to the client. */
export interface Relay {
  /** Reads until the first chunk for the client exists; throws a `GatewayError` (nothing sent) on failure. */
  prime(): Promise<void>;
  /** The client's body (read it only after `prime()` resolved). */
  readonly stream: ReadableStream<Uint8Array>;
}

const ENCODER = new TextEncoder();

const READ_BYTES = 4 * 1024;

/** One read of a body: a chunk, or its end. */
export type ChunkRead = { done: true } | { done: false; value: Uint8Array };

const DONE: ChunkRead = Object.freeze({ done: true });

/** Reads an upstream body chunk by chunk. */
export interface ChunkSource {
  read(): Promise<ChunkRead>;
  cancel(reason?: unknown): Promise<void>;
}

/**
 * Reads a byte stream into one reused 4 KiB buffer and hands out exact-size copies. Deno's fetch bodies
 * otherwise allocate 64 KiB per read, and each relayed chunk pins its whole buffer: with many open streams
 * that is most of the gateway's memory. Streams that are not byte streams are read as they are.
 */
export function chunkSource(body: ReadableStream<Uint8Array>): ChunkSource {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    const reader = body.getReader();
    return {
      read: () => reader.read().then((r) => r.done ? DONE : { done: false, value: r.value }),
      cancel: (reason) => reader.cancel(reason),
    };
  }
  let buffer = new ArrayBuffer(READ_BYTES);
  return {
    async read() {
      const { done, value } = await byob.read(new Uint8Array(buffer));
      if (value) buffer = value.buffer as ArrayBuffer;
      return done ? DONE : { done: false, value: value.slice() };
    },
    cancel: (reason) => byob.cancel(reason),
  };
}

/**
 * Wraps an SSE body for the client. One stream, no pipes: each pull reads the upstream body and runs the
 * tap (or usage strip, or translator) on the chunk in the same task, so an open stream holds one
 * `ReadableStream`, one reader and the parser's state, and a chunk crosses no extra promise hops.
 */
export function createRelay(body: ReadableStream<Uint8Array>, options: RelayOptions): Relay {
  const { call, now } = options;
  const assembler = createAssembler(options.upstreamOperation);
  const onEvent = (ev: SseEvent) => assembler.push(ev);
  const transformer = options.translator !== null
    ? translateEvents(options.translator, onEvent)
    : options.injectedUsage
    ? usageStrip(onEvent)
    : sseTap(onEvent);
  const source = chunkSource(body);
  /** Output of the transformer not yet handed to the client. */
  const out: Uint8Array[] = [];
  const sink = { enqueue: (chunk: Uint8Array) => void out.push(chunk) };
  let upstreamDone = false;
  let first: ChunkRead | undefined;
  let primed = false;
  let ended = false;
  const end = (kind: StreamEnd["kind"], error?: GatewayError) => {
    if (ended) return;
    ended = true;
    call.finish();
    const assembled = assembler.result();
    options.onEnd(kind === "error" ? { kind, assembled, error: error! } : { kind, assembled } as StreamEnd);
  };
  /** The next chunk for the client: reads (and transforms) until there is one or the upstream ends. */
  const next = async (): Promise<ChunkRead> => {
    while (out.length === 0) {
      if (upstreamDone) return DONE;
      const r = await source.read();
      if (r.done) {
        if (call.cause !== null && call.cause !== "client_closed") throw call.signal.reason;
        upstreamDone = true;
        transformer.flush?.(sink as TransformStreamDefaultController<Uint8Array>);
      } else {
        transformer.transform!(r.value, sink as TransformStreamDefaultController<Uint8Array>);
      }
    }
    return { done: false, value: out.shift()! };
  };
  call.watchIdle(now);
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  // A real fetch body errors on abort; cancelling the reader makes any body (fakes too) stop waiting.
  call.signal.addEventListener("abort", () => {
    source.cancel(call.signal.reason).catch(() => {});
    // At shutdown the stream ends now, whether or not the client is reading: what the upstream sent so
    // far, then the error event, and the record goes to the sinks before the gateway closes them.
    if (call.cause === "shutdown" && primed && !ended) {
      const e = call.toError(call.signal.reason);
      try {
        if (first !== undefined && !first.done) controller!.enqueue(first.value);
        first = undefined;
        for (const chunk of out.splice(0)) controller!.enqueue(chunk);
        controller!.enqueue(ENCODER.encode(streamErrorEvent(options.dialect, options.operation, e)));
        controller!.close();
      } catch { /* the client is already gone */ }
      end("error", e);
    }
  }, { once: true });
  const stream = new ReadableStream<Uint8Array>({
    start(ctl) {
      controller = ctl;
    },
    async pull(ctl) {
      if (ended) return;
      try {
        const r = first ?? await next();
        first = undefined;
        if (r.done) {
          ctl.close();
          end("complete");
          return;
        }
        call.touch(now());
        ctl.enqueue(r.value);
      } catch (err) {
        if (call.cause === "client_closed") {
          end("client_closed");
          return;
        }
        const e = call.toError(err);
        try {
          ctl.enqueue(ENCODER.encode(streamErrorEvent(options.dialect, options.operation, e)));
          ctl.close();
        } catch { /* the client is already gone */ }
        end("error", e);
      }
    },
    cancel(reason) {
      call.abort("client_closed");
      source.cancel(reason).catch(() => {});
      end("client_closed");
    },
  }, { highWaterMark: 0 });
  return {
    stream,
    async prime() {
      try {
        first = await next();
        primed = true;
        if (!first.done) call.touch(now());
      } catch (err) {
        ended = true; // never committed: the caller records this attempt, not `onEnd`
        call.finish();
        source.cancel(err).catch(() => {});
        throw call.cause === "client_closed"
          ? new GatewayError(499, "client_closed", "The client closed the connection", { cause: err })
          : call.toError(err);
      }
    },
  };
}

/** The SSE event that tells a client its stream failed, in the shape its SDK understands. */
export function streamErrorEvent(dialect: Dialect, op: Operation, e: GatewayError): string {
  if (dialect === "anthropic") {
    const type = e.status === 504 ? "timeout_error" : "api_error";
    return `event: error\ndata: ${
      JSON.stringify({ type: "error", error: { type, message: e.message } })
    }\n\n`;
  }
  if (op === "responses") {
    return `event: error\ndata: ${
      JSON.stringify({ type: "error", code: e.code, message: e.message, param: null })
    }\n\n`;
  }
  return `data: ${
    JSON.stringify({ error: { message: e.message, type: e.type, param: null, code: e.code } })
  }\n\n`;
}

/**
 * Response relay. Non-streaming bodies are read once, their usage picked out without parsing the whole
 * body, and sent on byte for byte. Streams are relayed chunk by chunk as they arrive through the SSE tap
 * (or the usage strip, when the gateway asked for usage itself); a failure mid-stream ends the client's
 * stream with an error event in its dialect, and a client that leaves aborts the upstream.
 */
import type { Dialect } from "../server/errors.ts";
import { createAssembler } from "../streams/assemble.ts";
import { SseTapStream } from "../streams/sse.ts";
import type { Assembled, Operation, Usage } from "../streams/types.ts";
import { usageFromBody } from "../streams/usage.ts";
import { UsageStripStream } from "../streams/usage_strip.ts";
import type { GatewayError } from "../server/errors.ts";
import type { UpstreamCall } from "./forward.ts";

/** How a relayed stream ended. */
export type StreamEnd =
  | { kind: "complete"; assembled: Assembled }
  | { kind: "client_closed"; assembled: Assembled }
  | { kind: "error"; assembled: Assembled; error: GatewayError };

const ENCODER = new TextEncoder();

/** Relays an SSE body; `onEnd` runs exactly once, when it completes, fails or the client leaves. */
export function relayStream(
  body: ReadableStream<Uint8Array>,
  options: {
    call: UpstreamCall;
    operation: Operation;
    dialect: Dialect;
    injectedUsage: boolean;
    now: () => number;
    onEnd: (end: StreamEnd) => void;
  },
): ReadableStream<Uint8Array> {
  const { call, now } = options;
  const assembler = createAssembler(options.operation);
  const onEvent = (ev: Parameters<typeof assembler.push>[0]) => assembler.push(ev);
  const tapped = body.pipeThrough(
    options.injectedUsage ? new UsageStripStream(onEvent) : new SseTapStream(onEvent),
  );
  const reader = tapped.getReader();
  let ended = false;
  const end = (kind: StreamEnd["kind"], error?: GatewayError) => {
    if (ended) return;
    ended = true;
    call.finish();
    const assembled = assembler.result();
    options.onEnd(kind === "error" ? { kind, assembled, error: error! } : { kind, assembled } as StreamEnd);
  };
  call.watchIdle(now);
  // A real fetch body errors on abort; cancelling the reader makes any body (fakes too) stop waiting.
  call.signal.addEventListener("abort", () => void reader.cancel(call.signal.reason).catch(() => {}), {
    once: true,
  });
  return new ReadableStream<Uint8Array>({
    async pull(ctl) {
      try {
        const { done, value } = await reader.read();
        if (done && call.cause !== null && call.cause !== "client_closed") throw call.signal.reason;
        if (done) {
          ctl.close();
          end("complete");
          return;
        }
        call.touch(now());
        ctl.enqueue(value);
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
      reader.cancel(reason).catch(() => {});
      end("client_closed");
    },
  }, { highWaterMark: 0 });
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

const USAGE_KEY = '"usage"';

/**
 * Finds the usage object of a JSON response body without parsing the whole body (usage is a top-level
 * key, last in practice); falls back to a full parse when the quick path does not apply.
 */
export function usageFromBytes(op: Operation, bytes: Uint8Array): Usage | undefined {
  const text = new TextDecoder().decode(bytes);
  const at = text.lastIndexOf(USAGE_KEY);
  if (at < 0) return undefined;
  const open = text.indexOf("{", at + USAGE_KEY.length);
  if (open > 0 && /^\s*:\s*$/.test(text.slice(at + USAGE_KEY.length, open))) {
    const close = matchBrace(text, open);
    if (close > 0) {
      try {
        return usageFromBody(op, { usage: JSON.parse(text.slice(open, close + 1)) });
      } catch { /* fall through to the full parse */ }
    }
  }
  try {
    return usageFromBody(op, JSON.parse(text));
  } catch {
    return undefined;
  }
}

function matchBrace(text: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return i;
  }
  return -1;
}

/** Pulls `{type, code, message}` out of an upstream error body, for the record (never shown to clients). */
export function upstreamErrorOf(bytes: Uint8Array): { type: string; code: string; message: string } {
  try {
    const j = JSON.parse(new TextDecoder().decode(bytes)) as { error?: Record<string, unknown> };
    const e = j.error ?? {};
    return {
      type: String(e.type ?? "upstream_error"),
      code: String(e.code ?? "upstream_error"),
      message: String(e.message ?? "").slice(0, 500),
    };
  } catch {
    return {
      type: "upstream_error",
      code: "upstream_error",
      message: new TextDecoder().decode(bytes.slice(0, 200)),
    };
  }
}

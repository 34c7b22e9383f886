/**
 * OpenTelemetry traces: one span per gateway call with the GenAI semantic-convention attributes, a child
 * of the span Deno's built-in instrumentation opens for the request (OTEL_DENO=true, exporter settings by
 * the standard OTEL_* variables). Without OTEL_DENO the API hands out non-recording spans and this costs
 * next to nothing.
 */
import { context, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import type { CallRecord } from "../pipeline/record.ts";
import { VERSION } from "../version.ts";

const OPERATION_NAME: Record<string, string> = {
  chat: "chat",
  completions: "text_completion",
  embeddings: "embeddings",
  responses: "chat",
  messages: "chat",
};

/** Span attributes of a finished call, per the OpenTelemetry GenAI conventions. */
export function genAiAttributes(r: CallRecord): Record<string, string | number | boolean | string[]> {
  const a: Record<string, string | number | boolean | string[]> = {
    "gen_ai.operation.name": OPERATION_NAME[r.operation ?? ""] ?? "chat",
    "gen_ai.system": r.dialect === "anthropic" ? "anthropic" : "azure.ai.openai",
    "azmw.dialect": r.dialect,
    "azmw.request.id": r.id,
    "azmw.attempts": r.attempts,
    "azmw.stream": r.stream,
    "http.response.status_code": typeof r.status === "number" ? r.status : 499,
  };
  if (r.model) a["gen_ai.request.model"] = r.model;
  if (r.upstream) a["azmw.upstream"] = r.upstream;
  if (r.deployment) a["azmw.deployment"] = r.deployment;
  if (r.assembled?.model) a["gen_ai.response.model"] = r.assembled.model;
  if (r.assembled?.id) a["gen_ai.response.id"] = r.assembled.id;
  if (r.assembled?.finishReason) a["gen_ai.response.finish_reasons"] = [r.assembled.finishReason];
  if (r.usage) {
    a["gen_ai.usage.input_tokens"] = r.usage.promptTokens;
    a["gen_ai.usage.output_tokens"] = r.usage.completionTokens;
    if (r.usage.cachedTokens) a["gen_ai.usage.cached_input_tokens"] = r.usage.cachedTokens;
    if (r.usage.reasoningTokens) a["gen_ai.usage.reasoning_tokens"] = r.usage.reasoningTokens;
  }
  if (r.ttfbMs !== null) a["azmw.ttfb_ms"] = r.ttfbMs;
  if (r.error) a["error.type"] = r.error.code;
  return a;
}

/** Opens a span around each request and closes it with the call's attributes when the call ends. */
export function createTracing(tracer: Tracer = trace.getTracer("azmw", VERSION)) {
  const open = new Map<string, Span>();
  // A non-streaming call is finalized before its response leaves the handler; hold its record until then.
  const early = new Map<string, CallRecord>();
  const finish = (span: Span, r: CallRecord) => {
    const attrs = genAiAttributes(r);
    span.setAttributes(attrs);
    span.updateName(`${attrs["gen_ai.operation.name"]} ${r.model ?? "unknown"}`);
    if (r.error) span.setStatus({ code: SpanStatusCode.ERROR, message: r.error.message });
    span.end();
  };
  return {
    /** Runs `handler` inside a new span; upstream `fetch` spans become its children. */
    wrap<I>(
      handler: (req: Request, info?: I) => Promise<Response>,
    ): (req: Request, info?: I) => Promise<Response> {
      return (req, info) => {
        const span = tracer.startSpan("azmw.call", { kind: SpanKind.INTERNAL });
        if (!span.isRecording()) return handler(req, info);
        const ctx = trace.setSpan(context.active(), span);
        return context.with(ctx, async () => {
          try {
            const res = await handler(req, info);
            const id = res.headers.get("x-azmw-request-id");
            const done = id === null ? undefined : early.get(id);
            if (id === null) span.end(); // health, metrics, models: no call record
            else if (done) {
              early.delete(id);
              finish(span, done);
            } else open.set(id, span);
            return res;
          } catch (err) {
            span.recordException(err as Error);
            span.end();
            throw err;
          }
        });
      };
    },
    /** Ends the call's span with its GenAI attributes. */
    sink(r: CallRecord): void {
      const span = open.get(r.id);
      if (span === undefined) {
        if (trace.getActiveSpan()?.isRecording()) early.set(r.id, r);
        return;
      }
      open.delete(r.id);
      finish(span, r);
    },
    /** The trace id of the active span, for the request log (null when not tracing). */
    activeTraceId(): string | null {
      const s = trace.getActiveSpan();
      return s?.isRecording() ? s.spanContext().traceId : null;
    },
  };
}

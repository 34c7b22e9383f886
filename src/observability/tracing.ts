/**
 * OpenTelemetry: one span per gateway call with the GenAI semantic-convention attributes, a child of the
 * span Deno's built-in instrumentation opens for the request, and the GenAI client metrics
 * (`gen_ai.client.token.usage`, `gen_ai.client.operation.duration`). Deno exports both over OTLP with
 * OTEL_DENO=true and the standard OTEL_* variables. Without OTEL_DENO the API hands out non-recording
 * spans, metrics are not recorded, and this costs next to nothing.
 */
import {
  type Attributes,
  context,
  type Histogram,
  type Meter,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import type { CallRecord } from "../pipeline/record.ts";
import { VERSION } from "../version.ts";
import {
  DURATION_BUCKETS,
  errorType,
  genAiAttributes,
  metricAttributes,
  responseInfo,
  TOKEN_BUCKETS,
  type UpstreamInfo,
} from "./genai.ts";

export { genAiAttributes } from "./genai.ts";

/** Options of `createTracing()`. */
export interface TracingOptions {
  tracer?: Tracer;
  meter?: Meter;
  /** Records the GenAI client metrics; default: OTEL_DENO is `true` (Deno exports metrics then). */
  metrics?: boolean;
  /** The provider and address of a configured upstream, by name (the current config generation). */
  upstream?: (name: string) => UpstreamInfo | undefined;
}

function otelEnabled(): boolean {
  try {
    return Deno.env.get("OTEL_DENO") === "true";
  } catch {
    return false;
  }
}

/** Opens a span around each request and closes it with the call's attributes when the call ends. */
export function createTracing(options: TracingOptions = {}) {
  const tracer = options.tracer ?? trace.getTracer("azmw", VERSION);
  const upstreamOf = (r: CallRecord) => r.upstream === null ? undefined : options.upstream?.(r.upstream);
  let tokenUsage: Histogram | undefined;
  let duration: Histogram | undefined;
  if (options.metrics ?? otelEnabled()) {
    const meter = options.meter ?? metrics.getMeter("azmw", VERSION);
    tokenUsage = meter.createHistogram("gen_ai.client.token.usage", {
      description: "Number of input and output tokens used",
      unit: "{token}",
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    });
    duration = meter.createHistogram("gen_ai.client.operation.duration", {
      description: "GenAI operation duration",
      unit: "s",
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
  }
  const open = new Map<string, Span>();
  // A non-streaming call is finalized before its response leaves the handler; hold its record until then.
  const early = new Map<string, CallRecord>();
  const finish = (span: Span, r: CallRecord) => {
    const attrs = genAiAttributes(r, { upstream: upstreamOf(r) });
    span.setAttributes(attrs as Attributes);
    span.updateName(`${attrs["gen_ai.operation.name"]} ${r.model ?? "unknown"}`);
    if (r.error) span.setStatus({ code: SpanStatusCode.ERROR, message: r.error.message });
    span.end();
  };
  const record = (r: CallRecord) => {
    if (duration === undefined || tokenUsage === undefined || r.upstream === null) return;
    const attrs = metricAttributes(r, { upstream: upstreamOf(r), info: responseInfo(r) });
    const error = errorType(r);
    duration.record(r.latencyMs / 1000, error ? { ...attrs, "error.type": error } : attrs);
    if (r.usage) {
      tokenUsage.record(r.usage.promptTokens, { ...attrs, "gen_ai.token.type": "input" });
      tokenUsage.record(r.usage.completionTokens, { ...attrs, "gen_ai.token.type": "output" });
    }
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
    /** Ends the call's span with its GenAI attributes and records the GenAI client metrics. */
    sink(r: CallRecord): void {
      record(r);
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

/**
 * One attempt of a call against one target: plan the request with the target's provider, apply the
 * upstream's credentials, send it, and decide. An answer is accepted once its whole body (non-streaming)
 * or its first chunk for the client (streaming) is in hand — before that nothing has reached the client,
 * so connection errors, timeouts, 429 and 5xx (but 501) are still retryable. The target's breaker gets
 * the verdict of every attempt it admitted.
 */
import type { UpstreamAuth } from "../providers/auth.ts";
import { providerOf } from "../providers/registry.ts";
import type { JsonObject, UpstreamPlan } from "../providers/types.ts";
import { GatewayError } from "../core/errors.ts";
import type { InferenceRoute } from "../core/routes.ts";
import { UpstreamCall } from "./forward.ts";
import type { FetchLike } from "../core/http.ts";
import { upstreamRequestHeaders } from "./headers.ts";
import { createRelay, type Relay, type StreamEnd } from "./relay.ts";
import { isRetryableStatus, retryAfterMs } from "./retry.ts";
import type { Target } from "./target.ts";
import { upstreamErrorOf } from "./usage_bytes.ts";

/** An upstream answer in hand, not yet sent to the client. */
export interface Answer {
  target: Target;
  plan: UpstreamPlan;
  call: UpstreamCall;
  res: Response;
  sentAt: number;
  headersAt: number;
  /** The whole body of a non-streaming answer. */
  bytes: Uint8Array<ArrayBuffer> | null;
  /** Upstream time after the headers: reading `bytes`, or waiting for a stream's first chunk. */
  bodyMs: number;
  /** The primed relay of a streaming answer. */
  relay: Relay | null;
}

/** How an attempt ended: accepted, or failed (retryable or not). */
export type AttemptResult =
  | { ok: true; answer: Answer }
  | {
    ok: false;
    retryable: boolean;
    /** The upstream's error answer (body read), when there was one. */
    answer: Answer | null;
    /** The gateway's error, when there was no answer. */
    error: GatewayError | null;
    /** What the upstream asked to wait before another call. */
    retryAfterMs: number | undefined;
  };

/** What every attempt of one call shares. */
export interface AttemptContext {
  req: Request;
  route: InferenceRoute;
  /** The body to send on pass-through (see `PlanInput.bytes`). */
  bytes: Uint8Array<ArrayBuffer> | Blob;
  search: string;
  apiVersion: string | null;
  upstreamAuth: ReadonlyMap<string, UpstreamAuth>;
  /** The caller's own credential for an upstream (project credentials), if it has one. */
  authFor?: (upstream: Target["upstream"]) => Promise<UpstreamAuth> | undefined;
  fetch: FetchLike;
  /** Monotonic and wall clocks in ms. */
  clock: () => number;
  now: () => number;
  /** The parsed body for attempt `n` (providers may change it, so each attempt gets its own). */
  body: (n: number) => JsonObject;
  /** Runs once when an accepted stream ends. */
  onStreamEnd: (answer: Answer, end: StreamEnd) => void;
  /** Aborted when the gateway's shutdown grace ends: the call ends with a `shutdown` error, not retried. */
  shutdown?: AbortSignal;
}

const failed = (retryable: boolean, error: GatewayError): AttemptResult => ({
  ok: false,
  retryable,
  answer: null,
  error,
  retryAfterMs: undefined,
});

/** Runs attempt number `n` (0-based, over the whole call) against `target`. */
export async function runAttempt(target: Target, n: number, ctx: AttemptContext): Promise<AttemptResult> {
  const health = target.health;
  const { upstream, deployment } = target;
  let plan: UpstreamPlan;
  let call: UpstreamCall | undefined;
  health.inFlight++;
  try {
    const headers = upstreamRequestHeaders(ctx.req.headers);
    plan = providerOf(upstream).plan({
      route: ctx.route,
      upstream,
      deployment,
      body: ctx.body(n),
      bytes: ctx.bytes,
      search: ctx.search,
      apiVersion: ctx.apiVersion,
      headers,
      now: ctx.now(),
    });
    const own = ctx.authFor?.(upstream);
    const auth = own === undefined ? ctx.upstreamAuth.get(upstream.name) : await own;
    if (auth === undefined) throw new Error(`No upstream auth for "${upstream.name}"`);
    const pending = auth.apply(headers);
    if (pending) await pending;
    call = new UpstreamCall(upstream.name, upstream.timeouts, ctx.req.signal, { shutdown: ctx.shutdown });
    const sentAt = ctx.clock();
    const res = await call.send(ctx.fetch, plan.url, {
      method: "POST",
      headers: headers.pairs,
      body: plan.body,
    });
    const answer: Answer = {
      target,
      plan,
      call,
      res,
      sentAt,
      headersAt: ctx.clock(),
      bytes: null,
      bodyMs: 0,
      relay: null,
    };
    const type = res.headers.get("content-type") ?? "";
    if (res.ok && res.body !== null && type.startsWith("text/event-stream")) {
      answer.relay = createRelay(res.body, {
        call,
        operation: ctx.route.operation,
        dialect: ctx.route.dialect,
        upstreamOperation: plan.upstreamOperation,
        injectedUsage: plan.injectedUsage,
        translator: plan.translator?.stream() ?? null,
        now: ctx.clock,
        onEnd: (end) => {
          health.inFlight--;
          if (end.kind === "error" && end.error.code !== "shutdown") health.failure(ctx.clock());
          ctx.onStreamEnd(answer, end);
        },
      });
      const primeAt = ctx.clock();
      await answer.relay.prime();
      answer.bodyMs = ctx.clock() - primeAt;
      health.success();
      return { ok: true, answer };
    }
    const readAt = ctx.clock();
    try {
      answer.bytes = new Uint8Array(await res.arrayBuffer());
    } catch (err) {
      throw call.toError(err);
    } finally {
      call.finish();
    }
    answer.bodyMs = ctx.clock() - readAt;
    health.inFlight--;
    if (!isRetryableStatus(res.status)) {
      health.success();
      return { ok: true, answer };
    }
    const wait = retryAfterMs(res.headers, ctx.now());
    if (res.status === 429) health.release();
    else health.failure(ctx.clock());
    if (wait !== undefined) health.coolDown(ctx.clock() + wait);
    return { ok: false, retryable: true, answer, error: null, retryAfterMs: wait };
  } catch (err) {
    health.inFlight--;
    call?.finish();
    if (!(err instanceof GatewayError)) {
      health.release();
      throw err;
    }
    // Not the target's fault: the client left, the gateway is stopping, the request cannot be translated,
    // or our credential failed.
    if (err.code === "client_closed" || err.code === "shutdown" || call === undefined) {
      health.release();
      return failed(call === undefined && err.status >= 500, err);
    }
    health.failure(ctx.clock());
    return failed(true, err);
  }
}

/** Why an attempt was not the final answer, for the record (`null` when it was accepted). */
export function attemptReason(r: AttemptResult): { status: number | null; error: string | null } {
  if (r.ok) return { status: r.answer.res.status, error: null };
  if (r.answer !== null) {
    const e = upstreamErrorOf(r.answer.bytes ?? new Uint8Array());
    const why = e.message === "" ? e.code : e.message;
    return { status: r.answer.res.status, error: `HTTP ${r.answer.res.status}: ${why}`.slice(0, 300) };
  }
  const e = r.error!;
  return { status: null, error: `${e.code}: ${e.message}`.slice(0, 300) };
}

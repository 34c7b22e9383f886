/**
 * The inference pipeline, stage by stage: authenticate → read and parse the body → resolve the target →
 * plan the upstream request → apply upstream auth → forward → relay → finalize. Every path, success or
 * failure, ends in exactly one call record handed to the sink.
 */
import type { Config } from "../config/types.ts";
import { type Dialect, errorResponse, GatewayError } from "../server/errors.ts";
import type { InferenceRoute } from "../server/routes.ts";
import { planAzureRequest, requireApiVersion } from "../providers/azure/request.ts";
import type { UpstreamAuth } from "../providers/azure/auth.ts";
import type { Caller } from "./auth.ts";
import { parseJsonObject, readBody } from "./body.ts";
import { type FetchLike, UpstreamCall } from "./forward.ts";
import { clientResponseHeaders, upstreamRequestHeaders } from "./headers.ts";
import type { CallRecord, CallSink } from "./record.ts";
import { relayStream, type StreamEnd, upstreamErrorOf, usageFromBytes } from "./relay.ts";
import type { TargetIndex } from "./target.ts";

/** What the inference pipeline needs from the outside world. */
export interface PipelineDeps {
  config: Config;
  /** Returns the caller (a promise only when a lookup misses the in-memory cache) or throws 401. */
  authenticate: (headers: Headers) => Caller | Promise<Caller>;
  targets: TargetIndex;
  upstreamAuth: ReadonlyMap<string, UpstreamAuth>;
  fetch: FetchLike;
  /** Wall clock in ms since the epoch (record timestamps). */
  now: () => number;
  /** Monotonic clock in ms (durations). */
  clock: () => number;
  randomId: () => string;
  sink: CallSink;
  /** Reports unexpected failures (status ≥ 500 caused by the gateway itself). */
  onInternalError: (err: unknown, record: CallRecord) => void;
}

function newRecord(deps: PipelineDeps, route: InferenceRoute): CallRecord {
  return {
    id: deps.randomId(),
    ts: new Date(deps.now()).toISOString(),
    caller: null,
    dialect: route.dialect,
    operation: route.operation,
    model: route.deployment ?? null,
    upstream: null,
    deployment: null,
    status: 0,
    stream: false,
    attempts: 0,
    latencyMs: 0,
    ttfbMs: null,
    usage: null,
    usageSource: null,
    error: null,
    requestBody: null,
    responseBody: null,
    assembled: null,
  };
}

/** Handles one inference request from start to finalize. */
export async function handleInference(
  req: Request,
  url: URL,
  route: InferenceRoute,
  deps: PipelineDeps,
): Promise<Response> {
  const start = deps.clock();
  const rec = newRecord(deps, route);
  const finalize = () => {
    rec.latencyMs = round(deps.clock() - start);
    try {
      deps.sink(rec);
    } catch (err) {
      deps.onInternalError(err, rec);
    }
  };
  try {
    const caller = deps.authenticate(req.headers);
    rec.caller = caller instanceof Promise ? await caller : caller;
    const bytes = await readBody(req, deps.config.server.maxBodyBytes);
    rec.requestBody = bytes;
    const body = parseJsonObject(bytes);
    if (typeof body.model === "string" && route.style !== "deployment") rec.model = body.model;
    rec.stream = body.stream === true;
    const apiVersion = route.style === "deployment" || route.style === "azure_responses"
      ? requireApiVersion(url.searchParams)
      : null;
    const target = deps.targets.resolve(route, body.model);
    rec.upstream = target.upstream.name;
    rec.deployment = target.deployment.name;
    const plan = planAzureRequest(route, target, { body, search: url.search, apiVersion });

    const headers = upstreamRequestHeaders(req.headers);
    const auth = deps.upstreamAuth.get(target.upstream.name);
    if (auth === undefined) throw new Error(`No upstream auth for "${target.upstream.name}"`);
    const pending = auth.apply(headers);
    if (pending) await pending;

    const call = new UpstreamCall(target.upstream.name, target.upstream.timeouts, req.signal);
    rec.attempts = 1;
    const sentAt = deps.clock();
    const res = await call.send(deps.fetch, plan.url, {
      method: "POST",
      headers,
      body: plan.rewrite ? JSON.stringify(body) : bytes,
    });
    const headersAt = deps.clock();
    rec.ttfbMs = round(headersAt - start);
    rec.status = res.status;
    const outHeaders = clientResponseHeaders(res.headers);
    outHeaders.set("x-azmw-request-id", rec.id);

    const type = res.headers.get("content-type") ?? "";
    if (res.ok && res.body !== null && type.startsWith("text/event-stream")) {
      rec.stream = true;
      const relayed = relayStream(res.body, {
        call,
        operation: route.operation,
        dialect: route.dialect,
        injectedUsage: plan.injectedUsage,
        now: deps.clock,
        onEnd: (end) => {
          applyStreamEnd(rec, end);
          finalize();
        },
      });
      outHeaders.set("x-azmw-overhead-ms", overhead(deps.clock() - start - (headersAt - sentAt)));
      return new Response(relayed, { status: res.status, statusText: res.statusText, headers: outHeaders });
    }

    let out: Uint8Array<ArrayBuffer>;
    let bodyMs = 0;
    try {
      const readAt = deps.clock();
      out = new Uint8Array(await res.arrayBuffer());
      bodyMs = deps.clock() - readAt;
    } catch (err) {
      throw call.toError(err);
    } finally {
      call.finish();
    }
    rec.responseBody = out;
    if (res.ok) {
      const usage = usageFromBytes(route.operation, out);
      if (usage) {
        rec.usage = usage;
        rec.usageSource = "upstream";
      }
    } else {
      rec.error = upstreamErrorOf(out);
    }
    finalize();
    outHeaders.set("x-azmw-overhead-ms", overhead(deps.clock() - start - (headersAt - sentAt) - bodyMs));
    return new Response(out, { status: res.status, statusText: res.statusText, headers: outHeaders });
  } catch (err) {
    const response = failure(err, rec, route.dialect, deps);
    finalize();
    return response;
  }
}

function applyStreamEnd(rec: CallRecord, end: StreamEnd): void {
  rec.assembled = end.assembled;
  if (end.assembled.usage) {
    rec.usage = end.assembled.usage;
    rec.usageSource = "upstream";
  }
  if (end.kind === "client_closed") rec.status = "client_closed";
  else if (end.kind === "error") {
    rec.status = end.error.status;
    rec.error = { type: end.error.type, code: end.error.code, message: end.error.message };
  } else if (end.assembled.error) {
    rec.error = {
      type: end.assembled.error.type,
      code: "stream_error",
      message: end.assembled.error.message,
    };
  }
}

function failure(err: unknown, rec: CallRecord, dialect: Dialect, deps: PipelineDeps): Response {
  const known = err instanceof GatewayError;
  const response = errorResponse(err, dialect);
  if (known && err.code === "client_closed") rec.status = "client_closed";
  else rec.status = response.status;
  rec.error = known
    ? { type: err.type, code: err.code, message: err.message }
    : { type: "server_error", code: "internal_error", message: "The gateway failed to process the request" };
  if (!known) deps.onInternalError(err, rec);
  response.headers.set("x-azmw-request-id", rec.id);
  return response;
}

/** Gateway time minus upstream time, as the `x-azmw-overhead-ms` header value. */
function overhead(ms: number): string {
  return Math.max(0, ms).toFixed(3);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

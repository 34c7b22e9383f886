/**
 * The call record of one inference call, assembled in one place. The pipeline starts a draft when the call
 * comes in and writes what it learns itself (caller, body, model, attempts); the other stages return what
 * they learned — the accepted answer, the response sent, the stream's end, the failure, the settled cost —
 * and the functions here turn it into the draft's fields. The finished draft goes to the sinks once and
 * is not written again; a streamed call's start event gets an object of its own.
 */
import { GatewayError } from "../core/errors.ts";
import type { CallCost, CallRecord, CallStart, TriedTarget } from "../core/record.ts";
import type { InferenceRoute } from "../core/routes.ts";
import type { Answer } from "./attempt.ts";
import { plainModel, SECRET_MODEL } from "./body.ts";
import type { StreamEnd } from "./relay.ts";
import type { Responded } from "./respond.ts";

/** A record while the pipeline assembles it: writable until it goes to the sinks. */
export type Draft = { -readonly [K in keyof CallRecord]: CallRecord[K] };

/** The draft of a call that has just come in on `route`; failover fills `tried`, which it keeps. */
export function draftRecord(
  id: string,
  ts: string,
  route: InferenceRoute,
  tried: readonly TriedTarget[],
): Draft {
  return {
    id,
    ts,
    caller: null,
    dialect: route.dialect,
    operation: route.operation,
    model: route.deployment === undefined ? null : plainModel(route.deployment),
    upstream: null,
    deployment: null,
    status: 0,
    stream: false,
    attempts: 0,
    tried,
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

/** Writes the target whose answer was accepted; `start` is when the call came in on the answer's clock. */
export function accepted(rec: Draft, answer: Answer, start: number): void {
  rec.upstream = answer.target.upstream.name;
  rec.deployment = answer.target.deployment.name;
  rec.ttfbMs = round(answer.headersAt - start);
  if (answer.relay !== null) rec.stream = true;
}

/** The start event of a streamed call whose answer was accepted: what sinks learn of it before its end. */
export function startOf(rec: CallRecord): CallStart {
  return {
    id: rec.id,
    ts: rec.ts,
    caller: rec.caller,
    model: rec.model,
    upstream: rec.upstream,
    deployment: rec.deployment,
  };
}

/** Writes what was sent for the accepted answer: status and, for a JSON body, usage, error and body. */
export function responded(rec: Draft, sent: Responded): void {
  rec.status = sent.status;
  if (sent.usage !== null) {
    rec.usage = sent.usage;
    rec.usageSource = "upstream";
  }
  rec.error = sent.error;
  rec.responseBody = sent.body;
}

/** Writes how a streamed answer ended: what was assembled, and the end's status and error. */
export function streamEnded(rec: Draft, end: StreamEnd): void {
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

/**
 * Writes a failed call: `err` as the error (a generic one unless it is a `GatewayError`), the status sent,
 * the last target tried when none was accepted, and `hidden` (a secret-shaped model name) masked in the
 * message.
 */
export function failed(rec: Draft, err: unknown, sent: number, hidden: string | null): void {
  const last = rec.tried?.at(-1);
  if (rec.upstream === null && last !== undefined) {
    rec.upstream = last.upstream;
    rec.deployment = last.deployment;
  }
  const known = err instanceof GatewayError;
  rec.status = known && err.code === "client_closed" ? "client_closed" : sent;
  const message = known ? err.message : "The gateway failed to process the request";
  rec.error = {
    type: known ? err.type : "server_error",
    code: known ? err.code : "internal_error",
    message: hidden === null ? message : message.replaceAll(hidden, SECRET_MODEL),
  };
}

/** Writes the call's duration, in ms. */
export function ended(rec: Draft, latencyMs: number): void {
  rec.latencyMs = round(latencyMs);
}

/** Writes the cost the budget settled, and the usage it estimated when the upstream reported none. */
export function costed(rec: Draft, cost: CallCost): void {
  rec.costEur = cost.costEur;
  rec.costEstimated = cost.estimated;
  if (cost.usage !== undefined && rec.usage === null) rec.usage = cost.usage;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

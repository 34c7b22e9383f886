/**
 * The client's response from an accepted upstream answer: streams go out through their primed relay;
 * JSON bodies go out byte for byte on pass-through (usage picked out without a full parse), or parsed
 * once and translated when the client speaks another wire format. Upstream errors keep their status and
 * headers (`Retry-After`, rate-limit headers) and are reshaped only when translating. What the call record
 * needs of the answer comes back with the response; the pipeline writes it.
 */
import { GatewayError } from "../core/errors.ts";
import type { Usage } from "../core/operation.ts";
import type { CallError } from "../core/record.ts";
import { usageFromBody } from "../streams/usage.ts";
import type { Answer } from "./attempt.ts";
import { clientResponseHeaders } from "./headers.ts";
import { upstreamErrorOf, usageFromBytes } from "./usage_bytes.ts";

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();
const SSE_TYPE = "text/event-stream; charset=utf-8";
const JSON_TYPE = "application/json";

/** The client's response to an accepted answer, and what the call record keeps of it. */
export interface Responded {
  response: Response;
  /** The status sent (a translated error answer may be sent with another status than the upstream's). */
  status: number;
  /** Usage the upstream reported in a JSON body; null for a stream (its end reports it). */
  usage: Usage | null;
  /** What the upstream's error answer said; null for a success and for a stream. */
  error: CallError | null;
  /** The JSON body sent, byte for byte; null for a stream. */
  body: Uint8Array | null;
}

/**
 * Builds the response for `answer` to the call `id`. `start` is when the call came in on `clock`;
 * `waitedMs` is time since then that was not the gateway's own (failed attempts, backoff), left out of
 * `x-azmw-overhead-ms`.
 */
export function respond(
  answer: Answer,
  id: string,
  clock: () => number,
  start: number,
  waitedMs: number,
): Responded {
  const { res, plan } = answer;
  const headers = clientResponseHeaders(res.headers);
  headers.set("x-azmw-request-id", id);
  if (answer.relay !== null) {
    if (plan.translator !== null) headers.set("content-type", SSE_TYPE);
    headers.set("x-azmw-overhead-ms", overheadMs(answer, clock, start, waitedMs));
    const response = new Response(answer.relay.stream, {
      status: res.status,
      statusText: res.statusText,
      headers,
    });
    return { response, status: res.status, usage: null, error: null, body: null };
  }
  let out = answer.bytes!;
  let status = res.status;
  let usage: Usage | null = null;
  let error: CallError | null = null;
  const t = plan.translator;
  if (res.ok) {
    if (t === null) usage = usageFromBytes(plan.upstreamOperation, out) ?? null;
    else {
      const body = parseObject(out, answer.target.upstream.name);
      usage = usageFromBody(plan.upstreamOperation, body) ?? null;
      out = ENCODER.encode(JSON.stringify(t.response(body)));
      headers.set("content-type", JSON_TYPE);
    }
  } else {
    error = upstreamErrorOf(out);
    if (t !== null) {
      const shaped = t.error(res.status, out);
      status = shaped.status;
      out = ENCODER.encode(shaped.body);
      headers.set("content-type", JSON_TYPE);
    }
  }
  headers.set("x-azmw-overhead-ms", overheadMs(answer, clock, start, waitedMs));
  const statusText = status === res.status ? res.statusText : "";
  return { response: new Response(out, { status, statusText, headers }), status, usage, error, body: out };
}

/** The gateway's own time in the call so far, in ms with three decimals. */
function overheadMs(answer: Answer, clock: () => number, start: number, waitedMs: number): string {
  return Math.max(0, clock() - start - waitedMs - (answer.headersAt - answer.sentAt) - answer.bodyMs)
    .toFixed(3);
}

function parseObject(bytes: Uint8Array, upstream: string): Record<string, unknown> {
  try {
    const v = JSON.parse(DECODER.decode(bytes));
    if (v !== null && typeof v === "object" && !Array.isArray(v)) return v;
  } catch { /* reported below */ }
  throw new GatewayError(
    502,
    "upstream_bad_response",
    `Upstream "${upstream}" answered with a body that is not JSON`,
  );
}

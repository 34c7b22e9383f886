/**
 * The client's response from an accepted upstream answer: streams go out through their primed relay;
 * JSON bodies go out byte for byte on pass-through (usage picked out without a full parse), or parsed
 * once and translated when the client speaks another wire format. Upstream errors keep their status and
 * headers (`Retry-After`, rate-limit headers) and are reshaped only when translating.
 */
import { GatewayError } from "../core/errors.ts";
import { usageFromBody } from "../streams/usage.ts";
import type { Answer } from "./attempt.ts";
import { clientResponseHeaders } from "./headers.ts";
import type { CallRecord } from "../core/record.ts";
import { upstreamErrorOf, usageFromBytes } from "./usage_bytes.ts";

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();
const SSE_TYPE = "text/event-stream; charset=utf-8";
const JSON_TYPE = "application/json";

/**
 * Builds the response for `answer` and fills the record's status, usage and bodies. `waitedMs` is time
 * that was not the gateway's own (failed attempts, backoff), left out of `x-azmw-overhead-ms`.
 */
export function respond(
  answer: Answer,
  rec: CallRecord,
  options: { clock: () => number; start: number; waitedMs: number },
): Response {
  const { res, plan } = answer;
  const headers = clientResponseHeaders(res.headers);
  headers.set("x-azmw-request-id", rec.id);
  const gatewayMs = (extra: number) =>
    Math.max(
      0,
      options.clock() - options.start - options.waitedMs - (answer.headersAt - answer.sentAt) - extra,
    )
      .toFixed(3);
  rec.status = res.status;
  if (answer.relay !== null) {
    rec.stream = true;
    if (plan.translator !== null) headers.set("content-type", SSE_TYPE);
    headers.set("x-azmw-overhead-ms", gatewayMs(answer.bodyMs));
    return new Response(answer.relay.stream, { status: res.status, statusText: res.statusText, headers });
  }
  let out = answer.bytes!;
  let status = res.status;
  const t = plan.translator;
  if (res.ok) {
    if (t === null) {
      const usage = usageFromBytes(plan.upstreamOperation, out);
      if (usage) setUsage(rec, usage);
    } else {
      const body = parseObject(out, answer.target.upstream.name);
      const usage = usageFromBody(plan.upstreamOperation, body);
      if (usage) setUsage(rec, usage);
      out = ENCODER.encode(JSON.stringify(t.response(body)));
      headers.set("content-type", JSON_TYPE);
    }
  } else {
    rec.error = upstreamErrorOf(out);
    if (t !== null) {
      const shaped = t.error(res.status, out);
      status = shaped.status;
      out = ENCODER.encode(shaped.body);
      headers.set("content-type", JSON_TYPE);
    }
  }
  rec.status = status;
  rec.responseBody = out;
  headers.set("x-azmw-overhead-ms", gatewayMs(answer.bodyMs));
  const statusText = status === res.status ? res.statusText : "";
  return new Response(out, { status, statusText, headers });
}

function setUsage(rec: CallRecord, usage: NonNullable<CallRecord["usage"]>): void {
  rec.usage = usage;
  rec.usageSource = "upstream";
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

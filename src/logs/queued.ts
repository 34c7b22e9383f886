/**
 * A finished call as it waits for the log thread: reduced to plain data, with its bodies already cut to
 * the logged size cap, so what a record weighs in the queue is about what it will log — not the 10 MiB
 * body a caller sent.
 */
import type { LogsConfig } from "../config/types.ts";
import type { Assembled } from "../core/operation.ts";
import type { CallRecord, CallStart } from "../core/record.ts";
import { LARGE_BODY_BYTES } from "../pipeline/body.ts";

/**
 * With drop paths configured a body is kept up to this many times the logged cap, so the paths can still
 * be applied to a body a little over it (dropping a large image can bring it under); a body cut before
 * queueing cannot be parsed, and is then logged as a marker.
 */
export const DROP_PATHS_SLACK = 16;

/** How many bytes of each body a queued record keeps. */
export function queueCap(logs: Pick<LogsConfig, "maxBodyBytes" | "redact">): number {
  return logs.redact.dropPaths.length > 0 ? logs.maxBodyBytes * DROP_PATHS_SLACK : logs.maxBodyBytes;
}

/** A call record as queued for the log. */
export interface QueuedCall extends CallRecord {
  /** The record's assembled stream, its content cut like the bodies (this copy's own). */
  assembled: Assembled | null;
  /** Size in bytes of the request body as received, when it was cut to the cap before queueing. */
  requestCut?: number;
  /** Size in bytes of the response body as sent, when it was cut to the cap before queueing. */
  responseCut?: number;
}

/** The first `cap` bytes of `bytes` in a buffer of their own (a view would keep the whole body alive). */
function cut(bytes: Uint8Array | null, cap: number): Uint8Array | null {
  if (bytes === null) return null;
  if (bytes.length > cap) return bytes.slice(0, cap);
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  // A large request body's buffer is given back once the sinks have run (`CallRecord.requestBody`), while
  // its record may still wait here for the next post: such a body is queued as a copy.
  return whole && bytes.length <= LARGE_BODY_BYTES ? bytes : bytes.slice();
}

/**
 * `rec` as plain data for the log thread: the caller reduced to its ids (it may carry a project's upstream
 * credentials, which must not cross to the log thread) and the bodies cut at `cap` bytes (a streamed
 * answer's content and tool arguments at `cap` + 1 characters, so they still read as cut).
 */
export function queuedCall(rec: CallRecord, cap: number): QueuedCall {
  const c = rec.caller;
  const out: QueuedCall = {
    ...rec,
    caller: c === null ? null : { keyId: c.keyId, project: c.project, tokenId: c.tokenId },
    requestBody: cut(rec.requestBody, cap),
    responseBody: cut(rec.responseBody, cap),
  };
  if (rec.requestBody !== null && rec.requestBody.length > cap) out.requestCut = rec.requestBody.length;
  if (rec.responseBody !== null && rec.responseBody.length > cap) out.responseCut = rec.responseBody.length;
  const a = rec.assembled;
  if (a !== null && (a.content.length > cap || a.toolCalls.some((t) => t.arguments.length > cap))) {
    out.assembled = {
      ...a,
      content: a.content.slice(0, cap + 1),
      toolCalls: a.toolCalls.map((t) => ({ ...t, arguments: t.arguments.slice(0, cap + 1) })),
    };
  }
  return out;
}

/** A streamed call whose upstream has accepted it, as queued for the log (written as a `StartedEntry`). */
export interface QueuedStart {
  started: true;
  id: string;
  ts: string;
  caller: { keyId: string | null; project: string | null; tokenId: string | null } | null;
  model: string | null;
  upstream: string | null;
  deployment: string | null;
  reservedEur: number | null;
}

/** What the log thread queues: a finished call or a started one. */
export type LogItem = QueuedCall | QueuedStart;

/** Whether `item` is a started call. */
export function isQueuedStart(item: LogItem): item is QueuedStart {
  return (item as QueuedStart).started === true;
}

/** The started entry of `rec` (a call whose upstream has just accepted it) with its reservation. */
export function queuedStart(rec: CallStart, reservedEur: number | null): QueuedStart {
  const c = rec.caller;
  return {
    started: true,
    id: rec.id,
    ts: rec.ts,
    caller: c === null ? null : { keyId: c.keyId, project: c.project, tokenId: c.tokenId },
    model: rec.model,
    upstream: rec.upstream,
    deployment: rec.deployment,
    reservedEur,
  };
}

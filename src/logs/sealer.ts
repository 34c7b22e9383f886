/**
 * Turns a finished call into its log line: plain metadata, bodies redacted, capped, compressed and sealed
 * under the key the body policy picks (or left out). Runs on the log thread as each record is queued,
 * never on the request path.
 */
import type { CallRecord } from "../core/record.ts";
import type { LogKey } from "./keyring.ts";
import { type Payload, requestPayload, responsePayload } from "./payload.ts";
import type { BodyPolicy } from "./policy.ts";
import { isQueuedStart, type LogItem, type QueuedStart } from "./queued.ts";
import { logRecordOf, type StartedEntry } from "./record.ts";
import type { Redactor } from "./redact.ts";
import { type FieldContext, type SealedField, sealFieldSync } from "./seal.ts";

/** What the sealer needs. */
export interface SealerOptions {
  instance: string;
  policy: BodyPolicy;
  redactor: Redactor;
  /** Logged body cap per field, in bytes. */
  maxBodyBytes: number;
  warn: (message: string) => void;
}

/** Builds sealed log lines. */
export class RecordSealer {
  /** Creates a sealer. */
  constructor(readonly options: SealerOptions) {}

  #field(
    rec: CallRecord,
    field: FieldContext["field"],
    key: LogKey,
    build: (rec: CallRecord, redactor: Redactor, cap: number) => Payload | null,
  ): SealedField | null {
    const { redactor, maxBodyBytes, warn } = this.options;
    try {
      const payload = build(rec, redactor, maxBodyBytes);
      if (payload === null) return null;
      const flags = { trunc: payload.trunc, raw: payload.raw };
      return sealFieldSync(payload.plain, { id: rec.id, field }, key, flags);
    } catch (err) {
      // A body that cannot be sealed is left out rather than written in any other form.
      warn(
        `Cannot seal the ${field} of log record ${JSON.stringify(rec.id)}: ${(err as Error)?.message ?? err}`,
      );
      return null;
    }
  }

  /** The JSON line (without newline) of one call, or of a call's start. */
  line(rec: LogItem): string {
    const { instance, policy, redactor } = this.options;
    if (isQueuedStart(rec)) return JSON.stringify(startedEntry(rec, instance));
    const out = logRecordOf(rec, instance, (t) => redactor.text(t));
    const key = policy.keyFor(rec.caller);
    if (key !== null) {
      out.request = this.#field(rec, "request", key, requestPayload);
      out.response = this.#field(rec, "response", key, responsePayload);
    }
    return JSON.stringify(out);
  }
}

/** The started entry of a queued start (keys in the order readers rely on: `STARTED_HEAD`). */
function startedEntry(s: QueuedStart, instance: string): StartedEntry {
  return {
    v: 1,
    started: true,
    id: s.id,
    ts: s.ts,
    instance,
    caller: {
      key_id: s.caller?.keyId ?? null,
      project: s.caller?.project ?? null,
      token_id: s.caller?.tokenId ?? null,
    },
    model: s.model,
    upstream: s.upstream,
    deployment: s.deployment,
    reserved_eur: s.reservedEur,
  };
}

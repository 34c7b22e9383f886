/**
 * The webhook sink: POSTs each batch as `application/cloudevents-batch+json`, signed per the Standard
 * Webhooks spec (`webhook-id`, `webhook-timestamp`, `webhook-signature`). The message id is derived from
 * the events' ids, so a retried or re-dispatched batch carries the same id. With `body: data` each
 * event's data is posted alone as JSON (the legacy budget webhook's format).
 */
import { BATCH_CONTENT_TYPE, type CloudEvent } from "./event.ts";
import { importSigningKey, signWebhook } from "./sign.ts";
import { postWithTimeout, type Sink } from "./sink.ts";

/** A webhook sink's resolved settings (secrets already read). */
export interface WebhookSinkOptions {
  name: string;
  url: string;
  /** Signing secret (`whsec_<base64>` or any string); absent sends unsigned. */
  secret?: string;
  headers?: Record<string, string>;
  body?: "batch" | "data";
  timeoutMs?: number;
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Epoch ms (the signature timestamp). */
  now?: () => number;
}

/** The id of a message carrying `events`: `msg_` and 32 hex digits of SHA-256 over their ids. */
export async function messageId(events: readonly CloudEvent[]): Promise<string> {
  const ids = events.length === 1 ? events[0]!.id : events.map((e) => e.id).join("\n");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(ids)));
  return `msg_${Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Creates a webhook sink. */
export function createWebhookSink(options: WebhookSinkOptions): Sink {
  const fetchFn = options.fetch ?? ((u: string, i: RequestInit) => fetch(u, i));
  const now = options.now ?? Date.now;
  const key = options.secret === undefined ? null : importSigningKey(options.secret);
  const post = async (events: readonly CloudEvent[], body: string, type: string, signal: AbortSignal) => {
    const headers: Record<string, string> = { ...options.headers, "content-type": type };
    if (key !== null) {
      const id = await messageId(events);
      const timestamp = Math.floor(now() / 1000);
      headers["webhook-id"] = id;
      headers["webhook-timestamp"] = String(timestamp);
      headers["webhook-signature"] = await signWebhook(await key, { id, timestamp, body });
    }
    await postWithTimeout(fetchFn, options.url, {
      headers,
      body,
      signal,
      timeoutMs: options.timeoutMs ?? 10_000,
      what: `the webhook of sink "${options.name}"`,
    });
  };
  return {
    name: options.name,
    async deliver(batch, signal) {
      if (options.body !== "data") {
        return await post(batch, JSON.stringify(batch), BATCH_CONTENT_TYPE, signal);
      }
      // One POST per event; a retry re-sends the whole batch, which is one event in the legacy mapping.
      for (const event of batch) await post([event], JSON.stringify(event.data), "application/json", signal);
    },
  };
}

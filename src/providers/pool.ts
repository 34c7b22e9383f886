/**
 * Upstream connection pools: one `Deno.HttpClient` per upstream origin, with the upstream's pool
 * settings, passed as `client` to `fetch` so connections are kept alive and reused across calls
 * (`tests/providers/pool_test.ts` shows successive calls arriving on one connection).
 *
 * Request bodies are sent as a `Blob`. Deno's `fetch` silently re-sends a request whose body it can clone
 * (bytes, strings) when a reused connection fails — also after the upstream has read the request, so a
 * provider that bills per request could bill twice while the call record counts one attempt. A `Blob`
 * body is streamed (with its exact `content-length`) and never re-sent, so every re-send is the gateway's
 * own retry, decided by its policy and counted in `attempts` (`tests/providers/pool_resend_test.ts`). A
 * large body goes as a `BytesBlob`, streamed from the gateway's own buffer instead of a copy of it.
 */
import type { UpstreamConfig } from "../config/types.ts";
import { ROUTING_DEFAULTS } from "../config/schema_routing.ts";
import type { FetchLike } from "../core/http.ts";
import { BytesBlob } from "./bytes_blob.ts";

/** A `fetch` that picks each upstream's pooled client, and `close()` for shutdown. */
export interface UpstreamPool {
  fetch: FetchLike;
  /** Closes every client (idle connections end; calls in flight are not waited for). */
  close(): void;
}

/** The scheme, host and port of a URL, without parsing it (`https://h:1/p?q` → `https://h:1`). */
export function originOf(url: string): string {
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  return slash < 0 ? url : url.slice(0, slash);
}

/** Builds one client per upstream origin (the first upstream's pool settings win for a shared origin). */
export function createUpstreamPool(
  upstreams: readonly UpstreamConfig[],
  options: { fetch?: typeof fetch; createHttpClient?: typeof Deno.createHttpClient } = {},
): UpstreamPool {
  const create = options.createHttpClient ?? Deno.createHttpClient;
  const base = options.fetch ?? fetch;
  const clients = new Map<string, Deno.HttpClient>();
  for (const u of upstreams) {
    const origin = new URL(u.endpoint).origin;
    if (clients.has(origin)) continue;
    const pool = u.pool ?? ROUTING_DEFAULTS.pool;
    clients.set(
      origin,
      create({
        poolMaxIdlePerHost: pool.maxIdlePerHost,
        poolIdleTimeout: pool.idleTimeoutMs === 0 ? false : pool.idleTimeoutMs,
      }),
    );
  }
  return {
    fetch(url, init) {
      const client = clients.get(originOf(url));
      const sent = init.body == null ? init : { ...init, body: once(init.body) };
      return base(url, client === undefined ? sent : { ...sent, client });
    },
    close() {
      for (const c of clients.values()) c.close();
      clients.clear();
    },
  };
}

/** Bodies over this size go as a `BytesBlob` (no copy of them); smaller ones as a plain `Blob`. */
export const LARGE_UPLOAD_BYTES = 64 * 1024;

/** The body as one the HTTP client cannot re-send by itself (see the module doc). */
export function once(body: BodyInit): BodyInit {
  if (typeof body === "string") {
    if (body.length <= LARGE_UPLOAD_BYTES) return new Blob([body]);
    body = new TextEncoder().encode(body);
  }
  if (!(body instanceof Uint8Array)) return body;
  return body.byteLength > LARGE_UPLOAD_BYTES
    ? new BytesBlob([body as Uint8Array<ArrayBuffer>])
    : new Blob([body as BlobPart]);
}

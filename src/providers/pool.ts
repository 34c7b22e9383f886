/**
 * Upstream connection pools: one `Deno.HttpClient` per upstream origin, with the upstream's pool
 * settings, passed as `client` to `fetch` so connections are kept alive and reused across calls
 * (`tests/providers/pool_test.ts` shows successive calls arriving on one connection).
 */
import type { UpstreamConfig } from "../config/types.ts";
import { ROUTING_DEFAULTS } from "../config/schema_routing.ts";
import type { FetchLike } from "../pipeline/forward.ts";

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
      return client === undefined ? base(url, init) : base(url, { ...init, client });
    },
    close() {
      for (const c of clients.values()) c.close();
      clients.clear();
    },
  };
}

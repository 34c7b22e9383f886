/** The key check and key swap both reference relays do (`relay.ts`, `floor_relay.ts`). */

const DROP = ["host", "authorization", "api-key", "x-api-key", "content-length", "connection"];

/** The caller key a request presents: Bearer, `api-key` or `x-api-key`; `null` without one. */
export function presentedKey(h: Headers): string | null {
  const auth = h.get("authorization");
  return auth?.startsWith("Bearer ") ? auth.slice(7) : h.get("api-key") ?? h.get("x-api-key");
}

/** The 401 a relay answers a request without the caller key with. */
export function unauthorized(): Response {
  return new Response('{"error":"unauthorized"}', { status: 401 });
}

/** The request's headers for the upstream: hop and key headers dropped, `upstreamKey` as a Bearer token. */
export function upstreamHeaders(req: Request, upstreamKey: string): Headers {
  const headers = new Headers(req.headers);
  for (const name of DROP) headers.delete(name);
  headers.set("authorization", `Bearer ${upstreamKey}`);
  return headers;
}

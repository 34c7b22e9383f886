/**
 * Header hygiene in both directions: hop-by-hop headers (RFC 9110 §7.6.1) and those named in
 * `Connection` are not forwarded; caller credentials never leave; body framing headers are recomputed
 * because the gateway may re-serialise the body and `fetch` decodes compressed responses.
 */
import { CALLER_AUTH_HEADERS } from "./auth.ts";

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

const DROP_REQUEST = new Set([
  ...HOP_BY_HOP,
  ...CALLER_AUTH_HEADERS,
  "host",
  "content-length",
  "accept-encoding",
  "cookie",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-real-ip",
]);

const DROP_RESPONSE = new Set([...HOP_BY_HOP, "content-length", "content-encoding", "set-cookie"]);

function connectionTokens(headers: Headers): Set<string> | null {
  const c = headers.get("connection");
  if (c === null) return null;
  return new Set(c.split(",").map((t) => t.trim().toLowerCase()).filter(Boolean));
}

function copy(from: Headers, drop: Set<string>): Headers {
  const extra = connectionTokens(from);
  const out = new Headers();
  for (const [name, value] of from) {
    if (drop.has(name) || extra?.has(name)) continue;
    out.append(name, value);
  }
  return out;
}

/** Headers to send upstream: the caller's, minus hop-by-hop, credentials, cookies and framing. */
export function upstreamRequestHeaders(incoming: Headers): Headers {
  const out = copy(incoming, DROP_REQUEST);
  if (!out.has("content-type")) out.set("content-type", "application/json");
  return out;
}

/** Headers to send to the client: the upstream's, minus hop-by-hop, cookies and framing. */
export function clientResponseHeaders(upstream: Headers): Headers {
  return copy(upstream, DROP_RESPONSE);
}

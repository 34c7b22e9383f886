/**
 * Header hygiene in both directions: hop-by-hop headers (RFC 9110 §7.6.1) and those named in
 * `Connection` are not forwarded; caller credentials never leave; body framing headers are recomputed
 * because the gateway may re-serialise the body and `fetch` decodes compressed responses.
 */
import { GatewayError } from "../server/errors.ts";
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

/** The headers an outgoing request's builders may read and change (`Headers` has the same methods). */
export interface HeaderMap {
  get(name: string): string | null;
  has(name: string): boolean;
  set(name: string, value: string): void;
  delete(name: string): void;
}

/**
 * Outgoing request headers as a plain list of lower-case name/value pairs. `fetch` takes the list in a
 * fraction of the time it needs to copy a `Headers` object (Deno 2.9: ~6 µs against ~22 µs per request),
 * and it is filled with `Headers.forEach`, which is more than ten times cheaper than iterating `Headers`.
 */
export class HeaderList implements HeaderMap {
  /** The pairs, in order; pass them to `fetch` as `headers`. */
  readonly pairs: [string, string][] = [];

  /** The value of `name` (values of repeated names joined with ", "), or null. */
  get(name: string): string | null {
    const n = name.toLowerCase();
    let out: string | null = null;
    for (const [k, v] of this.pairs) if (k === n) out = out === null ? v : `${out}, ${v}`;
    return out;
  }

  /** Whether `name` is present. */
  has(name: string): boolean {
    const n = name.toLowerCase();
    return this.pairs.some(([k]) => k === n);
  }

  /** Replaces every value of `name` with `value`. */
  set(name: string, value: string): void {
    this.delete(name);
    this.pairs.push([name.toLowerCase(), value]);
  }

  /** Adds a value of `name`. */
  append(name: string, value: string): void {
    this.pairs.push([name.toLowerCase(), value]);
  }

  /** Removes every value of `name`. */
  delete(name: string): void {
    const n = name.toLowerCase();
    for (let i = this.pairs.length - 1; i >= 0; i--) if (this.pairs[i]![0] === n) this.pairs.splice(i, 1);
  }

  /** The names, in order (repeated names once). */
  keys(): string[] {
    return [...new Set(this.pairs.map(([k]) => k))];
  }
}

/** Copies the headers `from` that are not dropped into `out`; returns the size of all of them. */
function copyInto(
  from: Headers,
  drop: Set<string>,
  out: { append(name: string, value: string): void },
): number {
  const extra = connectionTokens(from);
  let size = 0;
  from.forEach((value, name) => {
    size += name.length + value.length + 4;
    if (!drop.has(name) && !extra?.has(name)) out.append(name, value);
  });
  return size;
}

/**
 * Largest request head the gateway forwards, as the sum of `name: value\r\n` over the headers. The
 * runtime itself refuses heads over 64 KiB or with more than about 128 headers with an empty 400 before
 * the gateway sees them; between the two limits the caller gets a 431 in the API's error shape.
 */
export const MAX_REQUEST_HEADER_BYTES = 32 * 1024;

/** Headers to send upstream: the caller's, minus hop-by-hop, credentials, cookies and framing. */
export function upstreamRequestHeaders(incoming: Headers): HeaderList {
  const out = new HeaderList();
  const size = copyInto(incoming, DROP_REQUEST, out);
  if (size > MAX_REQUEST_HEADER_BYTES) {
    throw new GatewayError(
      431,
      "request_headers_too_large",
      `The request headers take ${size} bytes; the limit is ${MAX_REQUEST_HEADER_BYTES}`,
    );
  }
  if (!out.has("content-type")) out.set("content-type", "application/json");
  return out;
}

/** Headers to send to the client: the upstream's, minus hop-by-hop, cookies and framing. */
export function clientResponseHeaders(upstream: Headers): Headers {
  const out = new Headers();
  copyInto(upstream, DROP_RESPONSE, out);
  return out;
}

/**
 * The floor relay: the bare relay (`relay.ts`) plus only the I/O a gateway cannot drop, so a benchmark can
 * tell what this runtime charges for that I/O from what azmw's own pipeline adds on top of it. Per call it
 * reads the request body and parses it as JSON (for `stream`), sends it upstream as a `Blob` (a body the
 * HTTP client cannot re-send by itself) through a pooled `Deno.HttpClient`, ties the upstream call to the
 * client's connection (`req.signal`) and to first-byte and total timers, and then either reads the answer
 * whole and sends it as bytes (what a gateway needs for usage and its record) or relays a stream through a
 * JavaScript `ReadableStream` that reads the upstream body in 4 KiB BYOB reads (what a gateway needs to see
 * every event). No auth beyond the key check, no routing, limits, pricing or logging.
 */
import { chunkSource } from "../../pipeline/relay.ts";
import type { RelayOptions } from "./relay.ts";
import { presentedKey, unauthorized, upstreamHeaders } from "./relay_keys.ts";

const FIRST_BYTE_MS = 60_000;
const TOTAL_MS = 600_000;

/** Whether a request body asks for a stream (`"stream": true`); bodies that are not JSON objects do not. */
function asksStream(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  try {
    const body = JSON.parse(new TextDecoder().decode(bytes));
    return typeof body === "object" && body !== null && body.stream === true;
  } catch {
    return false;
  }
}

/**
 * A `ReadableStream` over `body`, read as the gateway reads an upstream stream (`chunkSource`: 4 KiB BYOB
 * reads of a byte stream); `done` runs once when it ends or is cancelled.
 */
function relayed(body: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  const source = chunkSource(body);
  return new ReadableStream<Uint8Array>({
    async pull(ctl) {
      const r = await source.read();
      if (r.done) {
        ctl.close();
        done();
      } else ctl.enqueue(r.value);
    },
    cancel(reason) {
      done();
      return source.cancel(reason);
    },
  });
}

/**
 * The floor relay as a plain handler; `close()` ends its HTTP client. `bare` leaves out the link to the
 * client's connection and the timers (what a gateway needs to stop an upstream call, not to make one), to
 * show what the rest of the floor costs on its own.
 */
export function createFloorRelayHandler(
  options: RelayOptions & { bare?: boolean },
): ((req: Request) => Promise<Response>) & { close(): void } {
  const watch = options.bare !== true;
  const upstream = options.upstream.replace(/\/+$/, "");
  const send = options.fetch ?? fetch;
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 64 });
  const handler = async (req: Request): Promise<Response> => {
    if (presentedKey(req.headers) !== options.callerKey) return unauthorized();
    const url = new URL(req.url);
    const headers = upstreamHeaders(req, options.upstreamKey);
    const bytes = new Uint8Array(await req.arrayBuffer());
    const stream = asksStream(bytes);
    const abort = new AbortController();
    const onClientGone = () => abort.abort();
    let firstByte: ReturnType<typeof setTimeout> | undefined;
    let total: ReturnType<typeof setTimeout> | undefined;
    if (watch) {
      req.signal.addEventListener("abort", onClientGone, { once: true });
      if (req.signal.aborted) abort.abort();
      firstByte = setTimeout(() => abort.abort(), FIRST_BYTE_MS);
      total = setTimeout(() => abort.abort(), TOTAL_MS);
    }
    const done = () => {
      if (!watch) return;
      clearTimeout(firstByte);
      clearTimeout(total);
      req.signal.removeEventListener("abort", onClientGone);
    };
    let res: Response;
    try {
      res = await send(upstream + url.pathname + url.search, {
        method: req.method,
        headers,
        body: req.method === "GET" || req.method === "HEAD" ? null : new Blob([bytes]),
        signal: abort.signal,
        client,
      } as RequestInit);
    } catch {
      done();
      return new Response('{"error":"upstream unreachable"}', { status: 502 });
    }
    if (watch) clearTimeout(firstByte);
    if (!stream || res.body === null) {
      const answer = new Uint8Array(await res.arrayBuffer());
      done();
      return new Response(answer, { status: res.status, headers: res.headers });
    }
    return new Response(relayed(res.body, done), { status: res.status, headers: res.headers });
  };
  return Object.assign(handler, { close: () => client.close() });
}

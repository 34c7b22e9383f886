/**
 * One measured request: send, wait for headers, read the body (chunk by chunk for event streams, timing
 * the gaps), and record latency, time to first byte, the gateway's overhead header and the status.
 */
import { BODY_ERROR, type LoadRecorder, NETWORK_ERROR } from "./recorder.ts";
import type { BenchRequest } from "./request.ts";

/** The `fetch` a benchmark uses (a keep-alive client in practice, a fake in tests). */
export type BenchFetch = (url: string, init: RequestInit) => Promise<Response>;

/** Header in which the gateway reports its own time, in milliseconds. */
export const OVERHEAD_HEADER = "x-azmw-overhead-ms";

/** A keep-alive HTTP client of its own, so runs do not share connection pools. */
export interface BenchClient {
  fetch: BenchFetch;
  /** Closes the client's idle connections. */
  close(): void;
}

/** Creates a dedicated HTTP client (`Deno.createHttpClient`) with keep-alive connections. */
export function createBenchClient(): BenchClient {
  const client = Deno.createHttpClient({});
  return {
    fetch: (url, init) => fetch(url, { ...init, client }),
    close: () => client.close(),
  };
}

/**
 * Sends `req` once and records the outcome in `rec`. `startedAt` (a `performance.now()` time) lets an
 * open-loop generator measure from the moment the request was due rather than when it was sent.
 */
export async function measureOnce(
  send: BenchFetch,
  req: BenchRequest,
  rec: LoadRecorder,
  startedAt: number = performance.now(),
): Promise<void> {
  let res: Response;
  try {
    res = await send(req.url, { method: "POST", headers: req.headers, body: req.body });
  } catch {
    rec.count(NETWORK_ERROR, false);
    return;
  }
  const headersAt = performance.now();
  if (!res.ok) {
    // Reading the error body keeps the connection reusable.
    await res.arrayBuffer().catch(() => {});
    rec.count(res.status, false);
    return;
  }
  const type = res.headers.get("content-type") ?? "";
  try {
    if (res.body !== null && type.startsWith("text/event-stream")) {
      const reader = res.body.getReader();
      let first = -1;
      let last = -1;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (value.byteLength === 0) continue;
        const now = performance.now();
        if (last < 0) {
          first = now;
          rec.firstChunk();
        } else {
          rec.gap(now - last);
        }
        last = now;
      }
      rec.ttfb.recordMs((first < 0 ? headersAt : first) - startedAt);
    } else {
      await res.arrayBuffer();
      rec.ttfb.recordMs(headersAt - startedAt);
    }
  } catch {
    rec.count(BODY_ERROR, false);
    return;
  }
  rec.latency.recordMs(performance.now() - startedAt);
  rec.headers.recordMs(headersAt - startedAt);
  const overhead = res.headers.get(OVERHEAD_HEADER);
  if (overhead !== null) {
    const ms = Number(overhead);
    if (Number.isFinite(ms)) rec.overhead.recordMs(ms);
  }
  rec.count(res.status, true);
}

/**
 * `serveMock()`: the mock upstream on a real socket, for tests, the benchmark and `azmw mock`.
 */
import { createMockCore } from "./handler.ts";
import { MockResetError } from "./sse.ts";
import type { MockOptions, MockUpstream } from "./types.ts";

/** A mock upstream listening on a socket. */
export interface RunningMock extends MockUpstream {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** Port actually bound (useful with port 0). */
  port: number;
  /** Ends waiting requests, stops listening and resolves once the server is closed. */
  shutdown(): Promise<void>;
  /** Resolves when the server has closed. */
  finished: Promise<void>;
}

/** Options of `serveMock()`: the mock's options plus where to listen. */
export interface ServeMockOptions extends MockOptions {
  /** Port to bind; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind (default `127.0.0.1`). */
  hostname?: string;
  /** Called once listening, with the bound address. */
  onListen?: (addr: { hostname: string; port: number }) => void;
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && (error.name === "AbortError" || error.name === "TimeoutError");
}

/** Starts the mock upstream with `Deno.serve` (default 127.0.0.1, port 0). */
export function serveMock(options: ServeMockOptions = {}): RunningMock {
  const { port = 0, hostname = "127.0.0.1", onListen, ...mockOptions } = options;
  const core = createMockCore(mockOptions);
  const server = Deno.serve({
    port,
    hostname,
    onListen(addr) {
      onListen?.({ hostname: addr.hostname, port: addr.port });
    },
    // A request whose client left (or that shutdown ended) rejects with an AbortError, and an injected
    // reset errors the body: both are expected, and nobody is left to read the answer.
    onError(error) {
      if (!isAbort(error) && !(error instanceof MockResetError)) {
        console.error("azmw mock: handler failed", error);
      }
      return new Response(null, { status: isAbort(error) ? 503 : 500 });
    },
  }, core.handler);
  const bound = server.addr.port;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    handler: core.handler,
    requests: core.requests,
    reset: core.reset,
    url: `http://${host}:${bound}`,
    port: bound,
    finished: server.finished,
    async shutdown() {
      core.close();
      await server.shutdown();
    },
  };
}

/**
 * The bare relay `azmw bench --overhead` measures the gateway against: `Deno.serve` + `fetch`, checking the
 * caller key, swapping in the upstream key and passing the upstream body through untouched — no routing,
 * limits, parsing or logging. It is the floor this runtime allows for one extra hop. The benchmark starts
 * it as a child process of this same program (`azmw bench --relay-upstream URL`).
 */
import { createFloorRelayHandler } from "./floor_relay.ts";
import { BENCH_KEY_ENV, UPSTREAM_KEY_ENV } from "./gateway_config.ts";
import { presentedKey, unauthorized, upstreamHeaders } from "./relay_keys.ts";

/** What the relay needs. */
export interface RelayOptions {
  /** Base URL of the upstream, e.g. `http://127.0.0.1:41234`. */
  upstream: string;
  /** The key callers must present. */
  callerKey: string;
  /** The key sent upstream as a Bearer token. */
  upstreamKey: string;
  /** Injected for tests (default: the global `fetch`). */
  fetch?: typeof fetch;
}

/** The relay as a plain handler. */
export function createRelayHandler(options: RelayOptions): (req: Request) => Promise<Response> {
  const upstream = options.upstream.replace(/\/+$/, "");
  const send = options.fetch ?? fetch;
  return async (req) => {
    if (presentedKey(req.headers) !== options.callerKey) return unauthorized();
    const url = new URL(req.url);
    const headers = upstreamHeaders(req, options.upstreamKey);
    const res = await send(upstream + url.pathname + url.search, {
      method: req.method,
      headers,
      body: req.body === null ? null : await req.arrayBuffer(),
    });
    return new Response(res.body, { status: res.status, headers: res.headers });
  };
}

/** Reads the relay's keys from the benchmark's environment variables; throws naming a missing one. */
export function relayKeysFromEnv(env: (name: string) => string | undefined): {
  callerKey: string;
  upstreamKey: string;
} {
  const callerKey = env(BENCH_KEY_ENV);
  const upstreamKey = env(UPSTREAM_KEY_ENV);
  for (const [name, value] of [[BENCH_KEY_ENV, callerKey], [UPSTREAM_KEY_ENV, upstreamKey]] as const) {
    if (!value) throw new Error(`The relay needs the environment variable "${name}"`);
  }
  return { callerKey: callerKey!, upstreamKey: upstreamKey! };
}

/**
 * Serves the relay on 127.0.0.1 until `signal` aborts; prints `relay listening on http://127.0.0.1:<port>`
 * through `announce` once ready. `floor` serves the floor relay (`floor_relay.ts`) instead; `"bare"`, the floor
 * relay without its link to the client's connection and its timers.
 */
export async function serveRelay(
  options: RelayOptions & {
    port?: number;
    signal?: AbortSignal;
    floor?: boolean | "bare";
    announce: (line: string) => void;
  },
): Promise<void> {
  const floor = options.floor
    ? createFloorRelayHandler({ ...options, bare: options.floor === "bare" })
    : null;
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    ...(options.signal && { signal: options.signal }),
    onListen: ({ port }) => options.announce(`relay listening on http://127.0.0.1:${port}\n`),
  }, floor ?? createRelayHandler(options));
  try {
    await server.finished;
  } finally {
    floor?.close();
  }
}

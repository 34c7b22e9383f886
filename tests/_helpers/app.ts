/** Builds an app over a fake upstream handler, recording the upstream requests and the call records. */
import { sha256Hex } from "../../src/core/sha256.ts";
import type { CallRecord } from "../../src/core/record.ts";
import { apiKeyAuth } from "../../src/providers/azure/auth.ts";
import type { Sleep } from "../../src/pipeline/retry.ts";
import { createApp } from "../../src/server/app.ts";
import type { AzureUpstreamConfig, Config } from "../../src/config/types.ts";
import { azureUpstream, testConfig } from "./config.ts";

export const CALLER_KEY = "azmw_caller_secret_0123456789";
export const UPSTREAM_KEY = "upstream-secret-abcdef0123456789";

/** What the fake upstream saw. */
export interface SeenRequest {
  url: string;
  method: string;
  headers: Headers;
  body: string;
  signal: AbortSignal | null | undefined;
}

/** An app whose upstream is `handler`; `records` fills as calls finish. */
export function appWith(
  handler: (req: Request, seen: SeenRequest) => Response | Promise<Response>,
  options: {
    upstream?: Partial<AzureUpstreamConfig>;
    config?: (c: Config) => void;
    clock?: () => number;
    /** The backoff sleep; by default it records the delay in `sleeps` and returns at once. */
    sleep?: Sleep;
  } = {},
) {
  const seen: SeenRequest[] = [];
  const records: CallRecord[] = [];
  const waiters: (() => void)[] = [];
  const sleeps: number[] = [];
  const config = testConfig([azureUpstream("https://res.example", options.upstream)]);
  config.auth.keys = [];
  options.config?.(config);
  const app = createApp({
    config,
    callerKeys: [{ id: "dev", sha256: sha256Hex(CALLER_KEY), project: "demo" }],
    upstreamAuth: new Map([[config.upstreams[0]!.name, apiKeyAuth(UPSTREAM_KEY)]]),
    fetch: async (url, init) => {
      const body = init.body instanceof Uint8Array
        ? new TextDecoder().decode(init.body)
        : typeof init.body === "string"
        ? init.body
        : "";
      const s = {
        url,
        method: init.method ?? "GET",
        headers: new Headers(init.headers),
        body,
        signal: init.signal,
      };
      seen.push(s);
      if (init.signal?.aborted) throw init.signal.reason;
      return await handler(new Request(url, { ...init, body: body || null }), s);
    },
    ...(options.clock ? { clock: options.clock } : {}),
    sleep: options.sleep ?? ((ms) => (sleeps.push(ms), Promise.resolve())),
    randomId: () => `rec-${records.length + seen.length}`,
    sinks: [(r) => {
      records.push(r);
      waiters.splice(0).forEach((w) => w());
    }],
  });
  /** Resolves once `n` records exist. */
  const recordsReached = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => records.length >= n ? resolve() : waiters.push(check);
      check();
    });
  return { app, seen, records, recordsReached, config, sleeps };
}

/** A POST to the app with the caller key. */
export function post(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://gw${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${CALLER_KEY}`, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The digest a test config can list. */
export const CALLER_SHA = sha256Hex(CALLER_KEY);

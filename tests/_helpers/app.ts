/**
 * Apps for tests: `testApp()` builds one from the pipeline parts a test sets (the rest get the real
 * clocks, ids, randomness, waits and `fetch`, and the config's own caller keys), and `appWith()` one over a
 * fake upstream handler, recording the upstream requests and the call records.
 */
import { sha256Hex } from "../../src/core/sha256.ts";
import type { CallerKey } from "../../src/core/caller.ts";
import type { CallRecord, CallSink } from "../../src/core/record.ts";
import { apiKeyAuth } from "../../src/providers/azure/auth.ts";
import { BodyWatch } from "../../src/pipeline/body.ts";
import type { PipelineDeps } from "../../src/pipeline/inference.ts";
import { realSleep, type Sleep } from "../../src/pipeline/retry.ts";
import { TargetIndex } from "../../src/pipeline/target.ts";
import { type App, type AppDeps, createApp } from "../../src/server/app.ts";
import { buildGeneration, type Generation, type RuntimeOptions } from "../../src/server/runtime.ts";
import type { AzureUpstreamConfig, Config } from "../../src/config/types.ts";
import { configKeys, createAuthenticator, type Stages } from "./callers.ts";
import { azureUpstream, testConfig } from "./config.ts";

/** The pipeline parts a test sets; `callerKeys` (default none) are accepted unless `authenticate` is set. */
export type TestPipeline = Partial<PipelineDeps> & { config: Config; callerKeys?: readonly CallerKey[] };

/** A complete pipeline from `parts`: the config's targets, no upstream auth and no sink unless given. */
export function testPipeline(parts: TestPipeline): PipelineDeps {
  const { config, callerKeys = [], ...given } = parts;
  return {
    config,
    authenticate: createAuthenticator(callerKeys, { required: config.auth.required }),
    targets: new TargetIndex(config),
    bodyWatch: new BodyWatch(config.server.bodyIdleTimeoutMs),
    upstreamAuth: new Map(),
    fetch: (input, init) => fetch(input, init),
    now: Date.now,
    clock: () => performance.now(),
    randomId: () => crypto.randomUUID(),
    sleep: realSleep,
    random: Math.random,
    sink: () => {},
    onInternalError: (err, rec) =>
      console.error(
        JSON.stringify({ level: "error", msg: "Request failed", id: rec.id, error: String(err) }),
      ),
    ...given,
  };
}

/** An app over `testPipeline(pipeline)`, serving `routes` besides inference. */
export function testApp(pipeline: TestPipeline, routes: Omit<AppDeps, "pipeline"> = {}): App {
  return createApp({ ...routes, pipeline: testPipeline(pipeline) });
}

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

/** The gateway's `buildGeneration()` with the config's own keys, `sinks`, and a shutdown never signalled. */
export function testGeneration(
  config: Config,
  options: RuntimeOptions,
  sinks: readonly CallSink[] = [],
  admission: Stages = [],
): Promise<Generation> {
  return buildGeneration(
    config,
    { callers: configKeys(admission), sinks, shutdown: new AbortController().signal },
    options,
  );
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
  const app = testApp({
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
    sink: (r) => {
      records.push(r);
      waiters.splice(0).forEach((w) => w());
    },
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

/**
 * A pipeline over fake upstreams with a fake clock, fake sleep and fixed randomness, for the retry,
 * fallback, breaker and translation tests: each upstream is a handler function keyed by its name.
 */
import type { ModelConfig, RoutingConfig, UpstreamConfig } from "../../src/config/types.ts";
import { createAuthenticator } from "../_helpers/callers.ts";
import { handleInference } from "../../src/pipeline/inference.ts";
import type { CallRecord } from "../../src/core/record.ts";
import { TargetIndex } from "../../src/pipeline/target.ts";
import { headerAuth } from "../../src/providers/auth.ts";
import { matchRoute } from "../../src/core/routes.ts";
import { azureUpstream, testConfig } from "../_helpers/config.ts";

/** A fake upstream: answers the `n`-th request (0-based) it receives. */
export type FakeUpstream = (req: Request, n: number) => Response | Promise<Response>;

/** What a fake upstream saw. */
export interface Seen {
  upstream: string;
  url: string;
  headers: Headers;
  body: string;
}

/** Azure upstream `name` at `https://<name>.example` with one deployment `<name>-dep` (public `<name>-model`). */
export function azure(name: string): UpstreamConfig {
  return azureUpstream(`https://${name}.example`, {
    name,
    deployments: [{ name: `${name}-dep`, model: `${name}-model`, aliases: [] }],
  });
}

/** Builds the pipeline; `call()` sends one request through it. */
export function routingHarness(
  upstreams: UpstreamConfig[],
  handlers: Record<string, FakeUpstream>,
  options: { models?: ModelConfig[]; routing?: Partial<RoutingConfig> } = {},
) {
  const config = testConfig(upstreams);
  config.auth.required = false;
  config.models = options.models ?? [];
  config.routing = {
    retries: 2,
    backoffMs: 200,
    maxBackoffMs: 5000,
    breaker: { failures: 5, cooldownMs: 30_000 },
    ...options.routing,
  };
  const clock = { t: 1000 };
  const sleeps: number[] = [];
  const seen: Seen[] = [];
  const records: CallRecord[] = [];
  const counts = new Map<string, number>();
  const byOrigin = new Map(upstreams.map((u) => [new URL(u.endpoint).origin, u.name]));
  let ids = 0;
  const deps = {
    config,
    authenticate: createAuthenticator([], { required: false }),
    targets: new TargetIndex(config),
    upstreamAuth: new Map(upstreams.map((u) => [u.name, headerAuth("x-upstream-key", `key-of-${u.name}`)])),
    fetch: async (url: string, init: RequestInit) => {
      const name = byOrigin.get(new URL(url).origin)!;
      const body = typeof init.body === "string"
        ? init.body
        : new TextDecoder().decode(init.body as Uint8Array);
      const headers = new Headers(init.headers);
      seen.push({ upstream: name, url, headers, body });
      const n = counts.get(name) ?? 0;
      counts.set(name, n + 1);
      const signal = init.signal!;
      if (signal.aborted) throw signal.reason;
      const answer = Promise.resolve(handlers[name]!(new Request(url, { method: "POST", headers, body }), n));
      const aborted = new Promise<never>((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason), { once: true })
      );
      return await Promise.race([answer, aborted]);
    },
    now: () => Date.parse("2025-08-01T12:00:00Z") + clock.t,
    clock: () => clock.t,
    randomId: () => `rec-${++ids}`,
    sink: (r: CallRecord) => void records.push(r),
    onInternalError: (err: unknown) => {
      throw err;
    },
    sleep: (ms: number) => {
      sleeps.push(ms);
      clock.t += ms;
      return Promise.resolve();
    },
    random: () => 0.5,
  };
  return {
    clock,
    sleeps,
    seen,
    records,
    deps,
    /** Sends `body` to `path` (default the OpenAI chat route). */
    call(body: unknown, path = "/v1/chat/completions", headers: Record<string, string> = {}) {
      const req = new Request(`http://gw${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
      const url = new URL(req.url);
      const route = matchRoute("POST", url.pathname);
      if (route?.kind !== "inference") throw new TypeError(`No inference route for ${path}`);
      return handleInference(req, url, route, deps);
    },
  };
}

/** A JSON response. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A minimal chat completion from `model`. */
export function chatOk(model: string): Response {
  return json(200, {
    id: "c1",
    object: "chat.completion",
    created: 1,
    model,
    choices: [{ index: 0, message: { role: "assistant", content: `from ${model}` }, finish_reason: "stop" }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  });
}

/** An SSE response whose body errors before its first byte. */
export function resetBeforeFirstByte(): Response {
  return new Response(
    new ReadableStream({
      pull(c) {
        c.error(new TypeError("error reading a body from connection: connection reset"));
      },
    }),
    { headers: { "content-type": "text/event-stream" } },
  );
}

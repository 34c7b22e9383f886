/**
 * One config generation's inference pipeline, built from the config: resolves the secret references once
 * (caller keys, management tokens, each upstream's credentials built by its provider), sends each
 * upstream's calls through its own keep-alive connection pool, and fills in the real clocks, request ids,
 * randomness and retry waits. The gateway builds one at start and one per reload (`buildGeneration`).
 */
import { ProjectAuthCache } from "../providers/project_auth.ts";
import type { Config } from "../config/types.ts";
import { resolveCallerKeys } from "../config/load.ts";
import { resolveSecret } from "../config/secrets.ts";
import type { CallerKey } from "../core/caller.ts";
import type { CallRecord, CallSink, CallStart } from "../core/record.ts";
import { sha256Hex } from "../core/sha256.ts";
import type { UpstreamAuth } from "../providers/auth.ts";
import { createUpstreamPool } from "../providers/pool.ts";
import { providerOf } from "../providers/registry.ts";
import { BodyWatch } from "../pipeline/body.ts";
import { BodyBudget } from "../pipeline/body_budget.ts";
import type { PipelineDeps } from "../pipeline/inference.ts";
import { realSleep } from "../pipeline/retry.ts";
import { TargetIndex } from "../pipeline/target.ts";

/** Where the secrets come from and how upstreams are reached. */
export interface RuntimeOptions {
  /** Reads an environment variable (default `Deno.env.get`). */
  env?: (name: string) => string | undefined;
  /** One `Deno.HttpClient` per upstream origin (default true); false uses the global `fetch`. */
  pool?: boolean;
}

/** Caller lookup and admission stages (policy, rate limits, budget; run in this order) of one generation. */
export type Callers = Required<Pick<PipelineDeps, "authenticate" | "admission">>;

/** What a generation takes besides its config. */
export interface GenerationParts {
  /** Caller lookup and admission for a config, given its caller keys (`auth.keys`, resolved). */
  callers(config: Config, callerKeys: readonly CallerKey[]): Callers;
  /** Consumers of finished calls (metrics, tracing, the request log). */
  sinks: readonly CallSink[];
  /** Aborted when the shutdown grace ends: open calls and streams end with a `shutdown` error. */
  shutdown: AbortSignal;
  /**
   * Room for large request bodies shared by every generation of a running gateway (a reload must not hand
   * out the room again); without one, the generation gets its own from the config.
   */
  bodyBudget?: BodyBudget;
}

/** A built generation. */
export interface Generation {
  pipeline: PipelineDeps;
  /** SHA-256 hex digests of the management tokens (they may read `/health` in detail). */
  managementDigests: readonly string[];
  /** Closes the upstream connection pools; call when the generation is retired (reload) or shut down. */
  close(): void;
}

/** The room for large request bodies that `config` allows (`server.max_buffered_body_bytes`). */
export function bodyBudgetOf(config: Config, shutdown: AbortSignal): BodyBudget {
  return new BodyBudget(config.server.maxBufferedBodyBytes, {
    waitMs: config.server.bodyIdleTimeoutMs,
    shutdown,
  });
}

/** Resolves the config's secrets and builds its pipeline; a secret that does not resolve throws. */
export async function buildGeneration(
  config: Config,
  parts: GenerationParts,
  options: RuntimeOptions = {},
): Promise<Generation> {
  const targets = new TargetIndex(config);
  const env = options.env ?? ((n: string) => Deno.env.get(n));
  const secret = (ref: string, path: string) => resolveSecret(ref, { env, path });
  const callerKeys = await resolveCallerKeys(config, { env });
  const upstreamAuth = new Map<string, UpstreamAuth>();
  for (const [i, u] of config.upstreams.entries()) {
    upstreamAuth.set(u.name, await providerOf(u).createAuth(u, { path: `upstreams[${i}].auth`, secret }));
  }
  const managementDigests: string[] = [];
  const manage = config.manage;
  for (const [ref, path] of [[manage?.token, "manage.token"], [manage?.readerToken, "manage.reader_token"]]) {
    if (ref) managementDigests.push(sha256Hex(await secret(ref, path!)));
  }
  const pool = options.pool === false ? null : createUpstreamPool(config.upstreams);
  // Last: a reload that fails above leaves governance and the budget of the live generation untouched.
  const { authenticate, admission } = parts.callers(config, callerKeys);
  const sinks = parts.sinks;
  const pipeline: PipelineDeps = {
    config,
    authenticate,
    admission,
    targets,
    bodyWatch: new BodyWatch(config.server.bodyIdleTimeoutMs),
    bodyBudget: parts.bodyBudget ?? bodyBudgetOf(config, parts.shutdown),
    upstreamAuth,
    projectAuth: new ProjectAuthCache(secret),
    fetch: pool?.fetch ?? ((input, init) => fetch(input, init)),
    now: Date.now,
    clock: () => performance.now(),
    randomId: () => crypto.randomUUID(),
    sleep: realSleep,
    random: Math.random,
    shutdown: parts.shutdown,
    sink: Object.assign((rec: CallRecord) => {
      for (const sink of sinks) sink(rec);
    }, {
      started: (rec: CallStart, reservedEur: number | null) => {
        for (const sink of sinks) sink.started?.(rec, reservedEur);
      },
    }),
    onInternalError: (err, rec) =>
      console.error(
        JSON.stringify({ level: "error", msg: "Request failed", id: rec.id, error: String(err) }),
      ),
  };
  return { pipeline, managementDigests, close: () => pool?.close() };
}

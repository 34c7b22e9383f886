/**
 * The inference pipeline, stage by stage: authenticate → read and parse the body → resolve the model →
 * order its targets → attempts with retries and fallback (plan, upstream auth, forward) → respond
 * (relay or translate) → finalize. Every path, success or failure, ends in exactly one call record.
 */
import type { Config, UpstreamConfig } from "../config/types.ts";
import type { UpstreamAuth } from "../providers/auth.ts";
import { optionalApiVersion, requireApiVersion } from "../core/api_version.ts";
import type { ProjectAuthCache } from "../providers/project_auth.ts";
import { providerOf } from "../providers/registry.ts";
import { errorResponse, GatewayError } from "../core/errors.ts";
import type { InferenceRoute } from "../core/routes.ts";
import { admit, settleAll } from "./admission.ts";
import type { AdmissionStage, Ticket } from "../core/admission.ts";
import { type Answer, runAttempt } from "./attempt.ts";
import type { Caller } from "../core/caller.ts";
import {
  type BodyWatch,
  checkModelName,
  parseJsonObject,
  plainModel,
  readBody,
  SECRET_MODEL,
} from "./body.ts";
import type { BodyBudget } from "./body_budget.ts";
import { changedBody, fieldsBefore } from "./body_changes.ts";
import { failover } from "./failover.ts";
import { shutdownError } from "./forward.ts";
import type { FetchLike } from "../core/http.ts";
import type { CallRecord, CallSink, TriedTarget } from "../core/record.ts";
import {
  accepted,
  costed,
  draftRecord,
  ended,
  failed,
  responded,
  startOf,
  streamEnded,
} from "./record_builder.ts";
import { respond } from "./respond.ts";
import type { Sleep } from "./retry.ts";
import { orderTargets } from "./select.ts";
import type { TargetIndex } from "./target.ts";

/** What the inference pipeline needs from the outside world. */
export interface PipelineDeps {
  config: Config;
  /** Returns the caller (a promise only when a lookup misses the in-memory cache) or throws 401. */
  authenticate: (headers: Headers) => Caller | Promise<Caller>;
  targets: TargetIndex;
  upstreamAuth: ReadonlyMap<string, UpstreamAuth>;
  fetch: FetchLike;
  /** Wall clock in ms since the epoch (record timestamps, `Retry-After` dates). */
  now: () => number;
  /** Monotonic clock in ms (durations, backoff, breakers). */
  clock: () => number;
  randomId: () => string;
  sink: CallSink;
  /** Reports unexpected failures (status ≥ 500 caused by the gateway itself) with the call's record. */
  onInternalError: (err: unknown, record: CallRecord) => void;
  /** Waits between retries (a timer); tests pass one that advances a fake clock. */
  sleep: Sleep;
  /** Uniform in [0, 1) for jitter and weighted routing (`Math.random`). */
  random: () => number;
  /** Policy, rate-limit and budget checks run before the first upstream attempt. */
  admission?: readonly AdmissionStage[];
  /** Builds and caches upstream auth from projects' own credentials. */
  projectAuth?: ProjectAuthCache;
  /** Aborted when the shutdown grace ends: open upstream calls end with a `shutdown` error (503). */
  shutdown?: AbortSignal;
  /** Deadlines of body reads (`server.body_idle_timeout_ms`); none without one. */
  bodyWatch?: BodyWatch;
  /** Room for large request bodies (`server.max_buffered_body_bytes`); unbounded without one. */
  bodyBudget?: BodyBudget;
}

/** Handles one inference request from start to finalize. */
export async function handleInference(
  req: Request,
  url: URL,
  route: InferenceRoute,
  deps: PipelineDeps,
): Promise<Response> {
  const start = deps.clock();
  const tried: TriedTarget[] = [];
  // The record is assembled here and in record_builder.ts only; it goes to the sinks once, finished.
  const rec = draftRecord(deps.randomId(), new Date(deps.now()).toISOString(), route, tried);
  const tickets: Ticket[] = [];
  // A secret-shaped model name stays out of the record's error message too (errors quote the model).
  let hidden = rec.model === SECRET_MODEL ? route.deployment ?? null : null;
  let finalized = false;
  const finalize = () => {
    finalized = true;
    ended(rec, deps.clock() - start);
    if (tickets.length > 0) {
      const cost = settleAll(tickets, rec, (err) => deps.onInternalError(err, rec));
      if (cost !== undefined) costed(rec, cost);
    }
    try {
      deps.sink(rec);
    } catch (err) {
      deps.onInternalError(err, rec);
    }
    deps.bodyBudget?.release(req, rec.requestBody);
  };
  try {
    const caller = deps.authenticate(req.headers);
    rec.caller = caller instanceof Promise ? await caller : caller;
    const bytes = await readBody(req, deps.config.server.maxBodyBytes, deps.bodyWatch, deps.bodyBudget);
    rec.requestBody = bytes;
    const body = parseJsonObject(bytes);
    if (route.deployment !== undefined) checkModelName(route.deployment, "deployment");
    if (typeof body.model === "string") {
      checkModelName(body.model, "model");
      if (route.style !== "deployment") rec.model = plainModel(body.model);
      if (rec.model === SECRET_MODEL) hidden = body.model;
    }
    rec.stream = body.stream === true;
    let sent: Uint8Array<ArrayBuffer> | Blob = bytes;
    let again: (() => Record<string, unknown>) | undefined;
    const apiVersion = route.style === "deployment" || route.style === "azure_responses"
      ? requireApiVersion(url.searchParams)
      : route.style === "azure_v1" && url.search !== ""
      ? optionalApiVersion(url.searchParams)
      : null;
    if (deps.admission?.length) {
      const before = fieldsBefore(bytes, body);
      const asked = route.style === "deployment"
        ? route.deployment ?? null
        : (typeof body.model === "string" ? body.model : null);
      const ctx = await admit(deps.admission, {
        caller: rec.caller,
        route,
        model: asked,
        body,
        bodyBytes: bytes.byteLength,
        targets: (name) => servingTargets(deps.targets, route, name),
      }, tickets);
      const shifted = ctx.model !== asked && ctx.model !== null;
      // A stage substituted the model (budget downshift): address the new one.
      if (shifted && route.style === "deployment") route = { ...route, deployment: ctx.model! };
      if (shifted || ctx.bodyChanged) ({ sent, again } = changedBody(bytes, body, before));
    }
    const model = deps.targets.resolve(route, body.model);
    const own =
      (rec.caller as { upstreamCredentials?: Readonly<Record<string, string>> }).upstreamCredentials;
    const project = rec.caller.project;
    const authFor = own && deps.projectAuth && project !== null && Object.keys(own).length > 0
      ? (u: UpstreamConfig) => {
        const ref = own[u.name];
        return ref === undefined ? undefined : deps.projectAuth!.get(u, ref, project);
      }
      : undefined;
    const { random, sleep } = deps;
    let waitedMs = 0;
    let lastMs = 0;
    const targets = orderTargets(model, {
      random,
      serves: (t) => providerOf(t.upstream).operations.has(route.operation),
    });
    if (targets.length === 0) {
      throw new GatewayError(
        400,
        "unsupported_operation",
        `The model "${model.name}" does not support ${route.operation} requests`,
        { param: "model" },
      );
    }
    const outcome = await failover(targets, {
      clock: deps.clock,
      random,
      sleep: async (ms, signal) => {
        const at = deps.clock();
        try {
          const stop = deps.shutdown;
          await sleep(ms, stop ? AbortSignal.any(signal ? [signal, stop] : [stop]) : signal);
        } catch (err) {
          throw deps.shutdown?.aborted ? shutdownError(err) : err; // no retry once the grace has ended
        } finally {
          waitedMs += deps.clock() - at;
        }
      },
      signal: req.signal,
      tried,
      attempt: async (target, n) => {
        rec.attempts = n + 1;
        const at = deps.clock();
        const r = await runAttempt(target, n, {
          req,
          route,
          bytes: sent,
          search: url.search,
          apiVersion,
          upstreamAuth: deps.upstreamAuth,
          ...(authFor ? { authFor } : {}),
          fetch: deps.fetch,
          clock: deps.clock,
          now: deps.now,
          body: (i) => i === 0 ? body : again?.() ?? parseJsonObject(bytes),
          ...(deps.shutdown ? { shutdown: deps.shutdown } : {}),
          onStreamEnd: (_answer, end) => {
            streamEnded(rec, end);
            finalize();
          },
        });
        lastMs = deps.clock() - at;
        if (!r.ok) waitedMs += lastMs;
        return r;
      },
    });
    if ("unavailable" in outcome) throw unavailable(model.name, outcome.until - deps.clock());
    const answer: Answer | null = outcome.answer;
    if (answer === null) throw outcome.ok ? new Error("unreachable") : outcome.error!;
    if (!outcome.ok) waitedMs -= lastMs; // the failed answer passed on is the one measured below
    accepted(rec, answer, start);
    if (answer.relay !== null && deps.sink.started) {
      // The upstream accepted a stream: leave a trace, in case the gateway stops before it ends. It is
      // queued on the next turn of the event loop, once the response with its first chunk is on its way,
      // so it is not on the first chunk's path; a stream whose record came first needs none.
      const started = deps.sink.started;
      const entry = startOf(rec);
      const held = tickets.filter((t) => t.reservedEur !== undefined);
      const reserved = held.length === 0 ? null : held.reduce((n, t) => n + t.reservedEur!, 0);
      setTimeout(() => {
        if (finalized) return;
        try {
          started(entry, reserved);
        } catch (err) {
          deps.onInternalError(err, rec);
        }
      }, 0);
    }
    const out = respond(answer, rec.id, deps.clock, start, waitedMs);
    responded(rec, out);
    const response = out.response;
    for (const t of tickets) {
      if (t.headers) { for (const [k, v] of Object.entries(t.headers)) response.headers.set(k, v); }
    }
    if (answer.relay === null) finalize();
    return response;
  } catch (err) {
    const response = errorResponse(err, route.dialect);
    response.headers.set("x-azmw-request-id", rec.id);
    failed(rec, err, response.status, hidden);
    if (!(err instanceof GatewayError)) deps.onInternalError(err, rec);
    finalize();
    return response;
  }
}

/** The deployments that may serve `name` on this route (none when it names no known model). */
function servingTargets(index: TargetIndex, route: InferenceRoute, name: string) {
  try {
    const r = route.style === "deployment" ? { ...route, deployment: name } : route;
    return index.resolve(r, name).targets
      .filter((t) => providerOf(t.upstream).operations.has(route.operation))
      .map((t) => ({ deployment: t.deployment.name, model: t.deployment.model }));
  } catch {
    return [];
  }
}

/** 429 when every target is cooling down or breaker-open, with `Retry-After` for the earliest one. */
function unavailable(model: string, waitMs: number): GatewayError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new GatewayError(
    429,
    "upstreams_unavailable",
    `Every upstream of the model "${model}" is cooling down or failing; retry in ${seconds} s`,
    { headers: { "retry-after": String(seconds) } },
  );
}

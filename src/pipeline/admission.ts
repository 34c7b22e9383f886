/**
 * Admission stages: checks that run once the caller and the request body are known and before any
 * upstream attempt — policy, rate limits, budget. Each may refuse (throw a `GatewayError`), add response
 * headers, substitute the model (cost downshift) and settle what it reserved when the call has ended.
 */
import type { InferenceRoute } from "../server/routes.ts";
import type { Caller } from "./auth.ts";
import type { CallRecord } from "./record.ts";

/** What an admission stage sees of a call. */
export interface AdmissionContext {
  caller: Caller;
  route: InferenceRoute;
  /** The model or deployment the call asks for (after earlier stages' substitutions). */
  model: string | null;
  body: Record<string, unknown>;
  bodyBytes: number;
  /** The deployments (and their models) that may serve a model or deployment name; none when unknown. */
  targets?: (model: string) => readonly { deployment: string; model: string }[];
  /** Whether a stage set body fields (the body must be encoded again). */
  bodyChanged?: boolean;
}

/** What a stage hands back when it admits a call. */
export interface Ticket {
  /** Response headers (e.g. `x-ratelimit-*`). */
  headers?: Record<string, string>;
  /** Serve this model instead of the one asked for. */
  model?: string;
  /** Body fields to set before the call goes upstream (the budget's output maximum). */
  set?: Readonly<Record<string, unknown>>;
  /** EUR held for the call until it settles (the budget stage). */
  reservedEur?: number;
  /** Runs exactly once, when the call has ended (successfully or not), with its final record. */
  settle?(record: CallRecord): void;
}

/** One admission stage; returns nothing when it has nothing to add. */
export type AdmissionStage = (ctx: AdmissionContext) => Ticket | void | Promise<Ticket | void>;

/** Runs the stages in order; tickets admitted so far are returned even when a later stage refuses. */
export async function admit(
  stages: readonly AdmissionStage[],
  ctx: AdmissionContext,
  tickets: Ticket[],
): Promise<AdmissionContext> {
  for (const stage of stages) {
    const t = await stage(ctx);
    if (!t) continue;
    tickets.push(t);
    if (t.model !== undefined && t.model !== ctx.model) {
      ctx = { ...ctx, model: t.model };
      ctx.body.model = t.model;
    }
    if (t.set !== undefined && Object.keys(t.set).length > 0) {
      Object.assign(ctx.body, t.set);
      ctx = { ...ctx, bodyChanged: true };
    }
  }
  return ctx;
}

/** Settles every ticket; a failing settle never stops the others. */
export function settleAll(
  tickets: readonly Ticket[],
  record: CallRecord,
  onError: (err: unknown) => void,
): void {
  for (const t of tickets) {
    try {
      t.settle?.(record);
    } catch (err) {
      onError(err);
    }
  }
}

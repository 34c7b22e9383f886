/**
 * What an admission stage (policy, rate limits, budget) sees of a call and what it hands back; the
 * pipeline runs the stages, the plug-ins implement them.
 */
import type { Caller } from "./caller.ts";
import type { CallCost, CallRecord } from "./record.ts";
import type { InferenceRoute } from "./routes.ts";

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
  /**
   * Runs exactly once, when the call has ended (successfully or not), with its record as it ended, before
   * its cost is known; returns the cost it settled (the budget stage), which the pipeline writes into the
   * record before the sinks get it.
   */
  settle?(record: CallRecord): CallCost | void;
}

/** One admission stage; returns nothing when it has nothing to add. */
export type AdmissionStage = (ctx: AdmissionContext) => Ticket | void | Promise<Ticket | void>;

/**
 * Admission stages: checks that run once the caller and the request body are known and before any
 * upstream attempt — policy, rate limits, budget. Each may refuse (throw a `GatewayError`), add response
 * headers, substitute the model (cost downshift) and settle what it reserved when the call has ended.
 */
import type { AdmissionContext, AdmissionStage, Ticket } from "../core/admission.ts";
import type { CallCost, CallRecord } from "../core/record.ts";

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

/**
 * Settles every ticket with the ended call's record (a failing settle never stops the others) and returns
 * the cost one of them settled — the last one's, were there several — or `undefined`.
 */
export function settleAll(
  tickets: readonly Ticket[],
  record: CallRecord,
  onError: (err: unknown) => void,
): CallCost | undefined {
  let cost: CallCost | undefined;
  for (const t of tickets) {
    try {
      cost = t.settle?.(record) ?? cost;
    } catch (err) {
      onError(err);
    }
  }
  return cost;
}

/**
 * The budget as an admission stage: reserves the call's estimated cost before the upstream call (429
 * over a daily cap, or a cheaper model past the downshift threshold) and settles the real cost — or a
 * refund for a failed call — when the call ends, filling the record's `costEur` before the sinks see it.
 */
import type { AdmissionStage } from "../pipeline/admission.ts";
import type { CostCaller, CostControl } from "./control.ts";

/** Builds the budget stage over a cost control. */
export function costStage(cost: CostControl): AdmissionStage {
  return (ctx) => {
    const admission = cost.admit(ctx.caller as CostCaller, {
      model: ctx.model,
      body: ctx.body,
      operation: ctx.route.operation,
    });
    return {
      ...(admission.downshiftTo !== undefined ? { model: admission.downshiftTo } : {}),
      reservedEur: admission.reservationEur,
      settle: (record) => void admission.settle(record),
    };
  };
}

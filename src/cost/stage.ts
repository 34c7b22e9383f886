/**
 * The budget as an admission stage: reserves an upper bound of the call's cost, priced at the dearest
 * target that may serve it, before the upstream call (429 over a daily cap, or a cheaper model past the
 * downshift threshold), sets the upstream's output maximum it reserved for when the client set none, and
 * settles the real cost — or a refund for a failed call — when the call ends, returning it for the
 * record's `costEur` before the sinks see it.
 */
import type { AdmissionStage, Ticket } from "../core/admission.ts";
import type { CostAdmission, CostCaller, CostControl } from "./control.ts";

/** Builds the budget stage over a cost control. */
export function costStage(cost: CostControl): AdmissionStage {
  return (ctx) => {
    const request = {
      model: ctx.model,
      body: ctx.body,
      operation: ctx.route.operation,
      ...(ctx.targets ? { targetsOf: ctx.targets } : {}),
    };
    if (cost.shared) return cost.admitShared(ctx.caller as CostCaller, request).then(ticketOf);
    return ticketOf(cost.admit(ctx.caller as CostCaller, request));
  };
}

function ticketOf(admission: CostAdmission): Ticket {
  return {
    ...(admission.downshiftTo !== undefined ? { model: admission.downshiftTo } : {}),
    ...(admission.set !== undefined ? { set: admission.set } : {}),
    reservedEur: admission.reservationEur,
    settle: (record) => admission.settle(record),
  };
}

/**
 * The policy editor: form fields for a policy (models, operations, max tokens, body size, RPM, TPM,
 * daily EUR cap) and their reading back into the management API's JSON. Values are passed on as typed
 * so the API's own validation names the field at fault.
 */
import { OPERATION_NAMES } from "../../config/schema_manage.ts";
import { esc } from "./html.ts";

const NUMBERS = [
  ["max_tokens", "Max tokens per request"],
  ["max_body_bytes", "Max body bytes"],
  ["rpm", "Requests per minute"],
  ["tpm", "Tokens per minute"],
  ["daily_cost_eur", "Daily cost cap (EUR)"],
] as const;

/** Form fields showing `policy` (a policy in its wire form). */
export function policyFields(policy: Record<string, unknown>, prefix = "policy"): string {
  const models = Array.isArray(policy.models) ? policy.models.join(", ") : "";
  const ops = Array.isArray(policy.operations) ? policy.operations as string[] : [];
  const boxes = OPERATION_NAMES.map((op) =>
    `<label><input type="checkbox" name="operations" value="${op}"${
      ops.includes(op) ? " checked" : ""
    }> ${op}</label>`
  ).join("");
  const numbers = NUMBERS.map(([name, label]) => {
    const id = `${prefix}-${name}`;
    const value = policy[name] === undefined ? "" : String(policy[name]);
    return `<label for="${id}">${esc(label)}</label><input id="${id}" name="${name}" type="text" ` +
      `inputmode="decimal" value="${esc(value)}" placeholder="no limit">`;
  }).join("");
  return `<label for="${prefix}-models">Models (globs, comma-separated)</label>` +
    `<input id="${prefix}-models" name="models" type="text" value="${
      esc(models)
    }" placeholder="all models">` +
    `<span>Operations</span><fieldset><legend class="muted">None checked allows all</legend>${boxes}</fieldset>` +
    numbers;
}

/** The policy a submitted form describes (empty fields left out). */
export function policyFromForm(form: URLSearchParams): Record<string, unknown> {
  const policy: Record<string, unknown> = {};
  const models = (form.get("models") ?? "").split(/[\s,]+/).filter((m) => m !== "");
  if (models.length > 0) policy.models = models;
  const ops = form.getAll("operations");
  if (ops.length > 0) policy.operations = ops;
  for (const [name] of NUMBERS) {
    const raw = (form.get(name) ?? "").trim();
    if (raw === "") continue;
    const n = Number(raw);
    policy[name] = Number.isFinite(n) ? n : raw;
  }
  return policy;
}

/** A policy in one line: `models gpt-4o*; rpm 60; cap €5` (or `no limits`). */
export function policySummary(policy: Record<string, unknown>): string {
  const parts: string[] = [];
  if (Array.isArray(policy.models)) parts.push(`models ${policy.models.join(", ")}`);
  if (Array.isArray(policy.operations)) parts.push(`ops ${policy.operations.join(", ")}`);
  if (policy.max_tokens !== undefined) parts.push(`max_tokens ${policy.max_tokens}`);
  if (policy.max_body_bytes !== undefined) parts.push(`body ≤ ${policy.max_body_bytes} B`);
  if (policy.rpm !== undefined) parts.push(`rpm ${policy.rpm}`);
  if (policy.tpm !== undefined) parts.push(`tpm ${policy.tpm}`);
  if (policy.daily_cost_eur !== undefined) parts.push(`cap €${policy.daily_cost_eur}/day`);
  return parts.length === 0 ? "no limits" : parts.join("; ");
}

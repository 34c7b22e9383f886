/**
 * Public views of stored records: the snake_case JSON the management API returns and the audit trail
 * keeps. A view never holds a secret or a digest, only the visible prefix of a key or token.
 */
import type { ApiKey, Policy, Project, Token } from "./types.ts";

/** Visible beginning of every API key. */
export const KEY_PREFIX = "azmw_";
/** Visible beginning of every withering token. */
export const TOKEN_PREFIX = "azmw_t_";

/** State of a key at a moment: `grace` is a rotated key that still works until `expires_at`. */
export type KeyStatus = "active" | "grace" | "disabled" | "expired";
/** State of a token at a moment. */
export type TokenStatus = "active" | "revoked" | "expired" | "exhausted";

/** A policy in its wire form (snake_case keys, absent fields left out). */
export function policyView(p: Policy): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.models !== undefined) out.models = [...p.models];
  if (p.operations !== undefined) out.operations = [...p.operations];
  if (p.maxTokens !== undefined) out.max_tokens = p.maxTokens;
  if (p.maxBodyBytes !== undefined) out.max_body_bytes = p.maxBodyBytes;
  if (p.rpm !== undefined) out.rpm = p.rpm;
  if (p.tpm !== undefined) out.tpm = p.tpm;
  if (p.dailyCostEur !== undefined) out.daily_cost_eur = p.dailyCostEur;
  return out;
}

/** The status of a key at `now`. */
export function keyStatus(k: ApiKey, now: number): KeyStatus {
  if (k.disabledAt !== null) return "disabled";
  if (k.expiresAt !== null && now >= k.expiresAt) return "expired";
  return k.replacedBy !== null ? "grace" : "active";
}

/** The status of a token at `now`. */
export function tokenStatus(t: Token, now: number): TokenStatus {
  if (t.revokedAt !== null) return "revoked";
  if (now >= t.expiresAt) return "expired";
  if (t.maxRequests !== null && t.requestCount >= t.maxRequests) return "exhausted";
  return "active";
}

/** Public view of a project. */
export function projectView(p: Project): Record<string, unknown> {
  return {
    object: "project",
    project_id: p.id,
    name: p.name,
    description: p.description,
    metadata: p.metadata,
    policy: policyView(p.policy),
    upstream_credentials: { ...p.upstreamCredentials },
    disabled: p.disabled,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
  };
}

/** Public view of a key at `now` (its status depends on the time). */
export function keyView(k: ApiKey, now: number): Record<string, unknown> {
  return {
    object: "api_key",
    id: k.id,
    project: k.project,
    name: k.name,
    prefix: `${KEY_PREFIX}${k.prefix}`,
    status: keyStatus(k, now),
    policy: policyView(k.policy),
    expires_at: iso(k.expiresAt),
    disabled_at: iso(k.disabledAt),
    replaced_by: k.replacedBy,
    created_at: iso(k.createdAt),
    updated_at: iso(k.updatedAt),
  };
}

/** Public view of a token at `now`. */
export function tokenView(t: Token, now: number): Record<string, unknown> {
  return {
    object: "token",
    id: t.id,
    project: t.project,
    name: t.name,
    prefix: `${TOKEN_PREFIX}${t.prefix}`,
    status: tokenStatus(t, now),
    policy: policyView(t.policy),
    expires_at: iso(t.expiresAt),
    revoked_at: iso(t.revokedAt),
    max_requests: t.maxRequests,
    request_count: t.requestCount,
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
  };
}

/** An ISO 8601 time, or `null`. */
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

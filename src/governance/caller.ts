/**
 * The caller as the governed pipeline sees it: `Caller` (who, for logs and cost) plus how it was
 * authenticated, its resolved policy and its project's own upstream credentials.
 */
import type { SecretRef } from "../config/types.ts";
import type { Caller } from "../core/caller.ts";
import type { Policy } from "../store/types.ts";
import { type ResolvedPolicy, resolvePolicy } from "./policy.ts";

/** A caller with its policy. */
export interface GovernedCaller extends Caller {
  /** How the caller authenticated: a config key, a store key, a withering token, or no key at all. */
  readonly kind: "config" | "key" | "token" | "anonymous";
  readonly policy: ResolvedPolicy;
  /** The project's own upstream credentials (secret references by upstream name); empty when none. */
  readonly upstreamCredentials: Readonly<Record<string, SecretRef>>;
}

const NONE: Readonly<Record<string, SecretRef>> = Object.freeze({});

/** The caller of a request without a key (only when `auth.required` is false). */
export function anonymousCaller(defaults: Policy = {}): GovernedCaller {
  return Object.freeze({
    keyId: "anonymous",
    project: null,
    tokenId: null,
    kind: "anonymous",
    policy: resolvePolicy({ defaults, subject: { scope: "anonymous", policy: {} } }),
    upstreamCredentials: NONE,
  });
}

/** Builds a frozen caller. */
export function governedCaller(fields: {
  kind: GovernedCaller["kind"];
  keyId: string;
  tokenId: string | null;
  defaults: Policy;
  project: { name: string; policy: Policy; upstreamCredentials: Record<string, SecretRef> } | null;
  /** Project named by a config key that the store does not know. */
  projectName?: string | null;
  subject: { scope: string; policy: Policy };
}): GovernedCaller {
  const project = fields.project;
  return Object.freeze({
    keyId: fields.keyId,
    project: project?.name ?? fields.projectName ?? null,
    tokenId: fields.tokenId,
    kind: fields.kind,
    policy: resolvePolicy({ defaults: fields.defaults, project, subject: fields.subject }),
    upstreamCredentials: project ? Object.freeze({ ...project.upstreamCredentials }) : NONE,
  });
}

/**
 * The store interface: projects, API keys, withering tokens, their policies and the audit trail. Every
 * method is async so a networked implementation (PostgreSQL) fits the same shape as the embedded SQLite
 * one. Secrets never reach a store: keys and tokens are kept as SHA-256 digests plus a visible prefix.
 */
import type { PolicyConfig, SecretRef } from "../config/types.ts";

/** A caller policy as stored on a project, key or token (see `PolicyConfig`). */
export type Policy = PolicyConfig;

/** A project: the unit that keys, tokens, limits and costs belong to. */
export interface Project {
  /** Stable id (a UUID): stays when the project is renamed. */
  id: string;
  /** Unique name, `[a-z0-9][a-z0-9_-]*` (what logs and reports show). */
  name: string;
  description: string;
  /** Free-form JSON object for the operator (owner, cost centre …). */
  metadata: Record<string, unknown>;
  policy: Policy;
  /** The project's own upstream credentials, by upstream name, as secret references. */
  upstreamCredentials: Record<string, SecretRef>;
  /** A disabled project refuses all of its keys and tokens. */
  disabled: boolean;
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
}

/** An API key (`azmw_…`), known by its digest. */
export interface ApiKey {
  /** `key_` + 16 hex digits. */
  id: string;
  project: string;
  name: string;
  /** The first 8 characters after `azmw_`, shown to help recognise a key. */
  prefix: string;
  /** Lower-case hex SHA-256 of the key. */
  sha256: string;
  policy: Policy;
  /** When the key stops working (after a rotation: the end of its grace period); `null` never. */
  expiresAt: number | null;
  disabledAt: number | null;
  /** The key that replaced this one in a rotation. */
  replacedBy: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A withering token (`azmw_t_…`): short-lived, scoped to a project, optionally limited in uses. */
export interface Token {
  /** `tok_` + 16 hex digits. */
  id: string;
  project: string;
  name: string;
  /** The first 8 characters after `azmw_t_`. */
  prefix: string;
  sha256: string;
  policy: Policy;
  expiresAt: number;
  revokedAt: number | null;
  /** Most requests the token may make; `null` unlimited. */
  maxRequests: number | null;
  /** Requests made so far (capped tokens: exact; uncapped: may lag the in-memory count by a moment). */
  requestCount: number;
  createdAt: number;
  updatedAt: number;
}

/** Who made a change: a management token role, or the local CLI. */
export interface Actor {
  role: "admin" | "reader" | "local";
  /** `manage:admin`, `manage:reader`, `ui:admin` (the admin UI) or `cli:<user>`. */
  id: string;
}

/** One entry of the audit trail; `before` and `after` are public views, never secrets. */
export interface AuditEntry {
  id: number;
  at: number;
  actor: Actor;
  /** `project.create`, `key.rotate`, `token.revoke` … */
  action: string;
  targetType: "project" | "key" | "token";
  targetId: string;
  project: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** Who changes something and when; every change is written to the audit trail with it. */
export interface ChangeContext {
  actor: Actor;
  /** Time of the change, milliseconds since the epoch. */
  at: number;
}

/** A page of a list; pass `nextCursor` back as `cursor` for the next page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Paging of list methods. */
export interface ListQuery {
  limit: number;
  cursor?: string;
}

/** What a presented credential digest belongs to. */
export type Credential =
  | { kind: "key"; key: ApiKey; project: Project | null }
  | { kind: "token"; token: Token; project: Project | null };

/** Fields of a new project; the store assigns a random UUID when `id` is absent. */
export type NewProject = Omit<Project, "createdAt" | "updatedAt" | "disabled" | "id"> & { id?: string };
/**
 * Changeable fields of a project. A new `name` renames it: its keys and tokens follow; its logged calls and
 * costs stay filed under the old name.
 */
export type ProjectPatch = Partial<Omit<Project, "id" | "createdAt" | "updatedAt">>;
/** Fields of a new key. */
export type NewApiKey = Omit<ApiKey, "createdAt" | "updatedAt" | "disabledAt" | "replacedBy">;
/** Changeable fields of a key. */
export type KeyPatch = Partial<Pick<ApiKey, "name" | "policy" | "expiresAt" | "disabledAt">>;
/** Fields of a new token. */
export type NewToken = Omit<Token, "createdAt" | "updatedAt" | "revokedAt" | "requestCount">;
/** Changeable fields of a token. */
export type TokenPatch = Partial<Pick<Token, "revokedAt">>;

/** Why a store call failed in a way the caller can act on. */
export type StoreErrorCode = "not_found" | "conflict" | "invalid_cursor" | "unavailable";

/** A store failure the management API turns into 404, 409, 400 or (server out of reach) 503. */
export class StoreError extends Error {
  /** What went wrong. */
  readonly code: StoreErrorCode;

  /** Creates a store error. */
  constructor(code: StoreErrorCode, message: string) {
    super(message);
    this.name = "StoreError";
    this.code = code;
  }
}

/** Whether a networked store answers, for `/health` and `/metrics`. */
export interface StoreHealth {
  backend: "sqlite" | "postgres";
  /** Whether the server answered the last attempt. */
  up: boolean;
  /** Why the last attempt failed (no secret: the driver's code and message). */
  error: string | null;
  /** Age of the credential snapshot the request path reads; `null` before the first load. */
  snapshotAgeMs: number | null;
  /** Queries sent so far. */
  queries: number;
  projects?: number;
  keys?: number;
  tokens?: number;
}

/** Persistent state of projects, keys, tokens and the audit trail. */
export interface Store {
  createProject(project: NewProject, ctx: ChangeContext): Promise<Project>;
  getProject(name: string): Promise<Project | null>;
  /** The project with this id (a UUID), or `null`. */
  getProjectById(id: string): Promise<Project | null>;
  listProjects(query: ListQuery): Promise<Page<Project>>;
  updateProject(name: string, patch: ProjectPatch, ctx: ChangeContext): Promise<Project>;
  /**
   * Deletes a project: revokes its keys and tokens at `ctx.at` and removes it from lookups and lists, in
   * one transaction. Its name stays taken (records and costs keep referring to it).
   */
  deleteProject(name: string, ctx: ChangeContext): Promise<Project>;

  createKey(key: NewApiKey, ctx: ChangeContext): Promise<ApiKey>;
  getKey(id: string): Promise<ApiKey | null>;
  listKeys(query: ListQuery & { project?: string }): Promise<Page<ApiKey>>;
  updateKey(id: string, patch: KeyPatch, ctx: ChangeContext): Promise<ApiKey>;
  /** Adds `next` and ends `id` at `graceUntil` (or its own expiry, if sooner), in one transaction. */
  rotateKey(
    id: string,
    next: NewApiKey,
    options: { graceUntil: number } & ChangeContext,
  ): Promise<{ previous: ApiKey; key: ApiKey }>;

  createToken(token: NewToken, ctx: ChangeContext): Promise<Token>;
  getToken(id: string): Promise<Token | null>;
  listTokens(query: ListQuery & { project?: string }): Promise<Page<Token>>;
  updateToken(id: string, patch: TokenPatch, ctx: ChangeContext): Promise<Token>;
  /** Adds counted uses to tokens (not audited: uses are not changes). */
  addTokenUses(uses: ReadonlyMap<string, number>): Promise<void>;
  /**
   * Counts one use of a token whose requests are capped, durably and atomically, before it returns: the
   * new count, or `null` when the token already has `max` uses (or does not exist). Synchronous, so a
   * capped token's use is on disk before its call is admitted and a crash cannot hand the uses back.
   * Stores that cannot do this synchronously leave it out; capped uses then go through `addTokenUses`.
   */
  takeTokenUseSync?(id: string, max: number): number | null;

  /** The key or token whose SHA-256 (lower-case hex) is `sha256`, with its project. */
  findCredential(sha256: string): Promise<Credential | null>;

  /** The audit trail, newest first. */
  listAudit(
    query: ListQuery & { project?: string; targetType?: AuditEntry["targetType"]; targetId?: string },
  ): Promise<Page<AuditEntry>>;

  /** Reachability of a networked store (absent for the embedded one). */
  health?(): StoreHealth;
  /** Calls `fn` after each change made through any replica (a shared store only); returns an unsubscribe. */
  onChange?(fn: () => void): () => void;

  close(): Promise<void>;
}

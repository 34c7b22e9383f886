/** Row ↔ record mapping of the SQLite store (JSON columns, nullable integers, cursors). */
import { StoreError } from "./types.ts";
import type { ApiKey, AuditEntry, Project, Token } from "./types.ts";

/** A row as `node:sqlite` returns it. */
export type Row = Record<string, unknown>;

const text = (v: unknown): string => String(v ?? "");
const int = (v: unknown): number => Number(v);
const nullableInt = (v: unknown): number | null => v === null || v === undefined ? null : Number(v);
const json = <T>(v: unknown, fallback: T): T =>
  v === null || v === undefined ? fallback : JSON.parse(String(v));

/** A `projects` row as a record. */
export function projectFromRow(r: Row): Project {
  return {
    id: text(r.id),
    name: text(r.name),
    description: text(r.description),
    metadata: json(r.metadata, {}),
    policy: json(r.policy, {}),
    upstreamCredentials: json(r.upstream_credentials, {}),
    disabled: int(r.disabled) === 1,
    createdAt: int(r.created_at),
    updatedAt: int(r.updated_at),
  };
}

/** An `api_keys` row as a record. */
export function keyFromRow(r: Row): ApiKey {
  return {
    id: text(r.id),
    project: text(r.project),
    name: text(r.name),
    prefix: text(r.prefix),
    sha256: text(r.sha256),
    policy: json(r.policy, {}),
    expiresAt: nullableInt(r.expires_at),
    disabledAt: nullableInt(r.disabled_at),
    replacedBy: r.replaced_by === null || r.replaced_by === undefined ? null : text(r.replaced_by),
    createdAt: int(r.created_at),
    updatedAt: int(r.updated_at),
  };
}

/** A `tokens` row as a record. */
export function tokenFromRow(r: Row): Token {
  return {
    id: text(r.id),
    project: text(r.project),
    name: text(r.name),
    prefix: text(r.prefix),
    sha256: text(r.sha256),
    policy: json(r.policy, {}),
    expiresAt: int(r.expires_at),
    revokedAt: nullableInt(r.revoked_at),
    maxRequests: nullableInt(r.max_requests),
    requestCount: int(r.request_count),
    createdAt: int(r.created_at),
    updatedAt: int(r.updated_at),
  };
}

/** An `audit` row as an entry. */
export function auditFromRow(r: Row): AuditEntry {
  return {
    id: int(r.seq),
    at: int(r.at),
    actor: { role: text(r.actor_role) as AuditEntry["actor"]["role"], id: text(r.actor_id) },
    action: text(r.action),
    targetType: text(r.target_type) as AuditEntry["targetType"],
    targetId: text(r.target_id),
    project: r.project === null || r.project === undefined ? null : text(r.project),
    before: json(r.before, null),
    after: json(r.after, null),
  };
}

/** Reads a list cursor (the `seq` of the last row of the previous page). */
export function decodeCursor(cursor: string | undefined): number | null {
  if (cursor === undefined || cursor === "") return null;
  const m = /^c(\d{1,15})$/.exec(cursor);
  if (m === null) throw new StoreError("invalid_cursor", `Invalid cursor "${cursor.slice(0, 40)}"`);
  return Number(m[1]);
}

/** The cursor that continues after the row with `seq`. */
export function encodeCursor(seq: number): string {
  return `c${seq}`;
}

/** Cuts `limit + 1` fetched rows to a page, with the cursor when there is more. */
export function toPage<T>(
  rows: Row[],
  limit: number,
  map: (r: Row) => T,
): { items: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return { items: page.map(map), nextCursor: more && last ? encodeCursor(int(last.seq)) : null };
}

/**
 * The replica's in-memory copy of what authenticates callers — projects, keys and tokens by digest —
 * so a credential lookup never queries PostgreSQL. It is loaded once, then follows changes by `rev`
 * (every write of a row takes a new one from one sequence), with a window of overlap so a transaction
 * that committed late is still seen, and a full reload now and then as a backstop.
 */
import { keyFromRow, projectFromRow, type Row, tokenFromRow } from "./sqlite_rows.ts";
import type { ApiKey, Credential, Project, Token } from "./types.ts";

/** Rows changed since a revision, as read from the three tables. */
export interface SnapshotRows {
  projects: Row[];
  keys: Row[];
  tokens: Row[];
}

/** Credentials by digest, kept current by `apply()`. */
export class CredentialSnapshot {
  readonly #projects = new Map<string, Project>();
  readonly #nameOf = new Map<string, string>();
  readonly #keys = new Map<string, ApiKey>();
  readonly #tokens = new Map<string, Token>();
  readonly #tokenDigest = new Map<string, string>();
  /** Highest `rev` seen. */
  rev = 0;

  /** Applies rows read from the tables (newer or equal versions of what is known). */
  apply(rows: SnapshotRows): void {
    for (const r of rows.projects) this.putProject(projectFromRow(r), revOf(r), r.deleted_at != null);
    for (const r of rows.keys) this.putKey(keyFromRow(r), revOf(r));
    for (const r of rows.tokens) this.putToken(tokenFromRow(r), revOf(r));
  }

  /** Records a project (after a local write, or from a refresh); a deleted one leaves lookups. */
  putProject(p: Project, rev = 0, deleted = false): void {
    const old = this.#nameOf.get(p.id);
    if (old !== undefined && old !== p.name) this.#projects.delete(old); // renamed
    if (deleted) {
      this.#projects.delete(p.name);
      this.#nameOf.delete(p.id);
    } else {
      this.#projects.set(p.name, p);
      this.#nameOf.set(p.id, p.name);
    }
    this.#seen(rev);
  }

  /** Records a key. */
  putKey(k: ApiKey, rev = 0): void {
    this.#keys.set(k.sha256, k);
    this.#seen(rev);
  }

  /** Records a token. */
  putToken(t: Token, rev = 0): void {
    const known = this.#tokens.get(t.sha256);
    // The use count only grows; a refresh that raced a local increment never lowers it.
    const requestCount = Math.max(t.requestCount, known?.requestCount ?? 0);
    this.#tokens.set(t.sha256, { ...t, requestCount });
    this.#tokenDigest.set(t.id, t.sha256);
    this.#seen(rev);
  }

  /** Adds counted uses to known tokens. */
  addUses(uses: ReadonlyMap<string, number>): void {
    for (const [id, n] of uses) {
      const digest = this.#tokenDigest.get(id);
      const t = digest === undefined ? undefined : this.#tokens.get(digest);
      if (t !== undefined) this.#tokens.set(t.sha256, { ...t, requestCount: t.requestCount + n });
    }
  }

  /** The project called `name`, or `null`. */
  project(name: string): Project | null {
    return this.#projects.get(name) ?? null;
  }

  /** What `sha256` belongs to, with its project; `null` when nothing. */
  credential(sha256: string): Credential | null {
    const key = this.#keys.get(sha256);
    if (key !== undefined) return { kind: "key", key, project: this.project(key.project) };
    const token = this.#tokens.get(sha256);
    if (token === undefined) return null;
    return { kind: "token", token, project: this.project(token.project) };
  }

  /** Sizes, for health. */
  size(): { projects: number; keys: number; tokens: number } {
    return { projects: this.#projects.size, keys: this.#keys.size, tokens: this.#tokens.size };
  }

  #seen(rev: number): void {
    if (rev > this.rev) this.rev = rev;
  }
}

function revOf(r: Row): number {
  return Number(r.rev ?? 0);
}

/**
 * The PostgreSQL store as a replica runs it: writes and management reads go to PostgreSQL, while
 * credential and project lookups — the only store calls on the request path — answer from a snapshot in
 * memory that a background task keeps current. So no call waits for PostgreSQL, a slow server only delays
 * the refresh, and a lost one leaves the last snapshot serving (nothing can change while it is away)
 * until the task reaches it again. A server that is down at start is retried until it answers.
 *
 * Every change is also announced with NOTIFY when it commits: a replica that hears one refreshes at once
 * and tells its listeners (the caller cache), so a key revoked through one replica is refused by the
 * others within milliseconds, not only after the next refresh.
 */
import type { PostgresStore } from "./postgres.ts";
import { all, CHANGE_CHANNEL, describeError, withTimeout } from "./postgres_db.ts";
import { migratePostgres } from "./postgres_schema.ts";
import { CredentialSnapshot, type SnapshotRows } from "./postgres_snapshot.ts";
import {
  type ApiKey,
  type AuditEntry,
  type ChangeContext,
  type Credential,
  type KeyPatch,
  type ListQuery,
  type NewApiKey,
  type NewProject,
  type NewToken,
  type Page,
  type Project,
  type ProjectPatch,
  type Store,
  StoreError,
  type StoreHealth,
  type Token,
  type TokenPatch,
} from "./types.ts";

/** Options of `SharedStore`. */
export interface SharedStoreOptions {
  /** Pause between snapshot refreshes while the server answers; default 250. */
  refreshMs?: number;
  /** Pause between attempts while it does not; default 1000. */
  retryMs?: number;
  /** How far back each refresh looks again, for transactions that committed late; default 5000. */
  overlapMs?: number;
  /** Pause between full reloads; default 60000. */
  fullReloadMs?: number;
  /** Longest a refresh may take before the server counts as lost; default 10000. */
  timeoutMs?: number;
  /** Wall clock (ms). */
  now?: () => number;
  /** Reports a failed refresh or migration (once per outage, and when it ends). */
  onStateChange?: (up: boolean, error: unknown) => void;
}

/** `Store` over PostgreSQL with credential lookups from a refreshed snapshot. */
export class SharedStore implements Store {
  /** Every query goes here. */
  readonly direct: PostgresStore;
  readonly #opts: Required<Omit<SharedStoreOptions, "onStateChange">>;
  readonly #onState: (up: boolean, error: unknown) => void;
  #snapshot: CredentialSnapshot | null = null;
  #migrated = false;
  #up = false;
  #error: string | null = null;
  #loadedAt: number | null = null;
  #fullAt = 0;
  #marks: { at: number; rev: number }[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> = Promise.resolve();
  #closed = false;
  #queries: () => number;
  #listen: { unlisten(): Promise<void> } | null = null;
  readonly #changeListeners = new Set<() => void>();

  /** Wraps `direct`; call `start()` to load the snapshot and keep it current. */
  constructor(direct: PostgresStore, options: SharedStoreOptions & { queries?: () => number } = {}) {
    this.direct = direct;
    this.#opts = {
      refreshMs: options.refreshMs ?? 250,
      retryMs: options.retryMs ?? 1_000,
      overlapMs: options.overlapMs ?? 5_000,
      fullReloadMs: options.fullReloadMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 10_000,
      now: options.now ?? Date.now,
    };
    this.#onState = options.onStateChange ?? (() => {});
    this.#queries = options.queries ?? (() => 0);
  }

  /** Runs the first refresh (migrating first) and schedules the next; resolves either way. */
  start(): Promise<void> {
    return this.refresh();
  }

  /** Refreshes the snapshot now (migrates first if still needed) and schedules the next refresh. */
  refresh(): Promise<void> {
    clearTimeout(this.#timer);
    this.#running = this.#running.then(() => this.#tick()).then(() => this.#schedule());
    return this.#running;
  }

  /** Whether the server answered the last attempt, and how old the snapshot is. */
  health(): StoreHealth {
    const now = this.#opts.now();
    return {
      backend: "postgres",
      up: this.#up,
      error: this.#error,
      snapshotAgeMs: this.#loadedAt === null ? null : now - this.#loadedAt,
      queries: this.#queries(),
      ...(this.#snapshot ? this.#snapshot.size() : {}),
    };
  }

  async #tick(): Promise<void> {
    if (this.#closed) return;
    try {
      if (!this.#migrated) {
        await withTimeout(
          migratePostgres(this.direct.sql, { now: this.#opts.now }),
          { ms: this.#opts.timeoutMs * 3, what: "Migrating the store" },
        );
        this.#migrated = true;
      }
      if (this.#listen === null) {
        this.#listen = await withTimeout(
          this.direct.sql.listen(CHANGE_CHANNEL, () => void this.#changedElsewhere()),
          { ms: this.#opts.timeoutMs, what: "Listening for changes" },
        );
      }
      const now = this.#opts.now();
      const full = this.#snapshot === null || now - this.#fullAt >= this.#opts.fullReloadMs;
      const since = full ? 0 : this.#since(now);
      const rows = await withTimeout(this.#read(since), {
        ms: this.#opts.timeoutMs,
        what: "Refreshing the credential snapshot",
      });
      if (full) {
        const next = new CredentialSnapshot();
        next.apply(rows);
        this.#snapshot = next;
        this.#fullAt = now;
        this.#marks = [];
      } else this.#snapshot!.apply(rows);
      this.#marks.push({ at: now, rev: this.#snapshot!.rev });
      this.#loadedAt = now;
      this.#state(true, null);
    } catch (err) {
      this.#state(false, err);
    }
  }

  /** The revision a refresh at `now` reads after: the newest mark at least `overlapMs` old. */
  #since(now: number): number {
    let since = 0;
    while (this.#marks.length > 1 && now - this.#marks[1]!.at >= this.#opts.overlapMs) this.#marks.shift();
    const first = this.#marks[0];
    if (first !== undefined && now - first.at >= this.#opts.overlapMs) since = first.rev;
    return since;
  }

  async #read(since: number): Promise<SnapshotRows> {
    const sql = this.direct.sql;
    const [projects, keys, tokens] = await Promise.all([
      all(sql, "SELECT * FROM projects WHERE rev > $1", [since]),
      all(sql, "SELECT * FROM api_keys WHERE rev > $1", [since]),
      all(sql, "SELECT * FROM tokens WHERE rev > $1", [since]),
    ]);
    return { projects, keys, tokens };
  }

  /** Calls `fn` after each change announced by any replica has been read into the snapshot. */
  onChange(fn: () => void): () => void {
    this.#changeListeners.add(fn);
    return () => this.#changeListeners.delete(fn);
  }

  async #changedElsewhere(): Promise<void> {
    await this.refresh();
    for (const fn of this.#changeListeners) fn();
  }

  #state(up: boolean, err: unknown): void {
    if (!up && this.#listen !== null) {
      // Listen again once the server is back (the driver's own re-listen may have failed meanwhile).
      this.#listen.unlisten().catch(() => {});
      this.#listen = null;
    }
    const changed = up !== this.#up || (!up && this.#error === null);
    this.#up = up;
    this.#error = up ? null : describeError(err);
    if (changed) this.#onState(up, err);
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.refresh(), this.#up ? this.#opts.refreshMs : this.#opts.retryMs);
    Deno.unrefTimer(this.#timer as unknown as number);
  }

  #fromSnapshot<T>(read: (s: CredentialSnapshot) => T): Promise<T> {
    if (this.#snapshot !== null) return Promise.resolve(read(this.#snapshot));
    return Promise.reject(
      new StoreError("unavailable", `The PostgreSQL store has not been reached yet: ${this.#error}`),
    );
  }

  async createProject(project: NewProject, ctx: ChangeContext): Promise<Project> {
    const p = await this.direct.createProject(project, ctx);
    this.#snapshot?.putProject(p);
    return p;
  }

  getProject(name: string): Promise<Project | null> {
    return this.#fromSnapshot((s) => s.project(name));
  }

  getProjectById(id: string): Promise<Project | null> {
    return this.direct.getProjectById(id);
  }

  listProjects(query: ListQuery): Promise<Page<Project>> {
    return this.direct.listProjects(query);
  }

  async updateProject(name: string, patch: ProjectPatch, ctx: ChangeContext): Promise<Project> {
    const p = await this.direct.updateProject(name, patch, ctx);
    // A rename moves keys and tokens too: read every change back rather than patch the snapshot.
    if (p.name !== name) await this.refresh();
    else this.#snapshot?.putProject(p);
    return p;
  }

  async deleteProject(name: string, ctx: ChangeContext): Promise<Project> {
    const p = await this.direct.deleteProject(name, ctx);
    await this.refresh(); // its keys and tokens stopped working with it
    return p;
  }

  async createKey(key: NewApiKey, ctx: ChangeContext): Promise<ApiKey> {
    const k = await this.direct.createKey(key, ctx);
    this.#snapshot?.putKey(k);
    return k;
  }

  getKey(id: string): Promise<ApiKey | null> {
    return this.direct.getKey(id);
  }

  listKeys(query: ListQuery & { project?: string }): Promise<Page<ApiKey>> {
    return this.direct.listKeys(query);
  }

  async updateKey(id: string, patch: KeyPatch, ctx: ChangeContext): Promise<ApiKey> {
    const k = await this.direct.updateKey(id, patch, ctx);
    this.#snapshot?.putKey(k);
    return k;
  }

  async rotateKey(
    id: string,
    next: NewApiKey,
    options: { graceUntil: number } & ChangeContext,
  ): Promise<{ previous: ApiKey; key: ApiKey }> {
    const out = await this.direct.rotateKey(id, next, options);
    this.#snapshot?.putKey(out.previous);
    this.#snapshot?.putKey(out.key);
    return out;
  }

  async createToken(token: NewToken, ctx: ChangeContext): Promise<Token> {
    const t = await this.direct.createToken(token, ctx);
    this.#snapshot?.putToken(t);
    return t;
  }

  getToken(id: string): Promise<Token | null> {
    return this.direct.getToken(id);
  }

  listTokens(query: ListQuery & { project?: string }): Promise<Page<Token>> {
    return this.direct.listTokens(query);
  }

  async updateToken(id: string, patch: TokenPatch, ctx: ChangeContext): Promise<Token> {
    const t = await this.direct.updateToken(id, patch, ctx);
    this.#snapshot?.putToken(t);
    return t;
  }

  async addTokenUses(uses: ReadonlyMap<string, number>): Promise<void> {
    await this.direct.addTokenUses(uses);
    this.#snapshot?.addUses(uses);
  }

  /** Answers from the snapshot: never a query. */
  findCredential(sha256: string): Promise<Credential | null> {
    return this.#fromSnapshot((s) => s.credential(sha256));
  }

  listAudit(
    query: ListQuery & { project?: string; targetType?: AuditEntry["targetType"]; targetId?: string },
  ): Promise<Page<AuditEntry>> {
    return this.direct.listAudit(query);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#running;
    await this.direct.close();
  }
}

/**
 * Test helpers for governance: a fake clock, and a store seeded through the management route table (so
 * secrets are generated and hashed as in production) with a project, an API key and a withering token.
 *
 * ```ts
 * const seeded = await seedStore({ token: { ttl: "1h", max_requests: 5 } });
 * const gov = await setupGovernance(config, { callerKeys, store: seeded.store });
 * new OpenAI({ baseURL, apiKey: seeded.token });
 * ```
 */
import { dispatch } from "../../src/admin/router.ts";
import { GatewayError } from "../../src/core/errors.ts";
import type { ManageContext } from "../../src/admin/context.ts";
import { openStore } from "../../src/store/mod.ts";
import type { Store } from "../../src/store/types.ts";

/** A clock that only moves when told to. */
export function fakeClock(start = Date.UTC(2030, 0, 1)) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
    set(ms: number) {
      t = ms;
    },
  };
}

/** A caller whose policy has one scope per entry (RPM and TPM only). */
export const caller = (scopes: { id: string; rpm?: number; tpm?: number }[]) => ({
  policy: {
    scopes: scopes.map((s) => ({ id: s.id, rpm: s.rpm ?? null, tpm: s.tpm ?? null, dailyCostEur: null })),
  },
});

/** The `GatewayError` that `fn` throws (a 429 from the limiter); fails when it throws none. */
export function denied(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("expected a 429");
}

/** What `seedStore()` made; `token` and `key` are the secrets, shown once as in production. */
export interface SeededStore {
  store: Store;
  project: string;
  key: string;
  keyId: string;
  token: string;
  tokenId: string;
  /** Runs a management request as the admin (for more records). */
  manage(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
}

/** Options of `seedStore()`: wire-format bodies, as the management API takes them. */
export interface SeedOptions {
  /** Store path; default `:memory:`. */
  path?: string;
  now?: () => number;
  project?: Record<string, unknown>;
  key?: Record<string, unknown>;
  token?: Record<string, unknown>;
}

/** Creates a store with project `demo` (or `options.project.name`), one API key and one token. */
export async function seedStore(options: SeedOptions = {}): Promise<SeededStore> {
  const store = await openStore(options.path ?? ":memory:");
  const ctx: ManageContext = {
    store,
    now: options.now ?? Date.now,
    random: (n) => crypto.getRandomValues(new Uint8Array(n)),
    actor: { role: "admin", id: "manage:admin" },
    onChange: () => {},
  };
  const manage = async (method: string, path: string, body?: unknown) => {
    const [pathname, search = ""] = path.split("?", 2);
    const res = await dispatch(ctx, { method, path: pathname!, query: new URLSearchParams(search), body });
    return res.body as Record<string, unknown>;
  };
  const projectBody = { name: "demo", ...options.project };
  const project = String((await manage("POST", "/projects", projectBody)).name);
  const key = await manage("POST", "/keys", { project, name: "test", ...options.key });
  const token = await manage("POST", "/tokens", { project, ttl: "1h", ...options.token });
  return {
    store,
    project,
    key: String(key.secret),
    keyId: String(key.id),
    token: String(token.secret),
    tokenId: String(token.id),
    manage,
  };
}

/** The admin UI handler over an in-memory store, a fake clock and a temp logs dir, with request helpers. */
import { createAdminUi, RecentCalls } from "../../../src/admin/ui/mod.ts";
import { PriceTable } from "../../../src/cost/pricing.ts";
import { DayClock } from "../../../src/logs/day.ts";
import type { CallRecord } from "../../../src/pipeline/record.ts";
import type { AdminLive } from "../../../src/server/app.ts";
import { openStore } from "../../../src/store/mod.ts";
import type { Actor } from "../../../src/store/types.ts";
import { secureRandom } from "../../../src/governance/credentials.ts";
import { testConfig } from "../../_helpers/config.ts";
import { fakeClock } from "../../governance/_fixtures.ts";

export const ADMIN = "ui-admin-token-0123456789";
export const READER = "ui-reader-token-0123456789";
export const ORIGIN = "http://gw.test";

/** A live state with one upstream and one deployment. */
export const LIVE: AdminLive = {
  inFlight: 2,
  targets: [{ upstream: "azure", deployment: "gpt-4o-prod", breaker: "open", inFlight: 1 }],
  upstreams: [
    { name: "azure", kind: "azure", auth: "entra", ready: true, tokenExpiresAt: "2030-01-01T01:00:00.000Z" },
    { name: "spare", kind: "openai", auth: "api_key", ready: false, error: "no <key>" },
  ],
};

/** A finished call record for the recent-call list. */
export function callRecord(over: Partial<CallRecord> = {}): CallRecord {
  return {
    id: "rec-1",
    ts: "2030-01-01T00:00:01.000Z",
    caller: { keyId: "key_1", project: "demo", tokenId: null },
    dialect: "openai",
    operation: "chat",
    model: "gpt-4o",
    upstream: "azure",
    deployment: "gpt-4o-prod",
    status: 200,
    stream: false,
    attempts: 1,
    latencyMs: 120,
    ttfbMs: 80,
    usage: {
      promptTokens: 10,
      completionTokens: 5,
      cachedTokens: 0,
      reasoningTokens: 0,
      totalTokens: 15,
      cacheWriteTokens: 0,
    },
    usageSource: "upstream",
    costEur: 0.25,
    error: null,
    requestBody: null,
    responseBody: null,
    assembled: null,
    ...over,
  };
}

/** Builds the handler; `request()` sends one request (Basic auth as admin unless told otherwise). */
export async function adminUi(options: { failWith?: Error; spend?: Record<string, number> } = {}) {
  const clock = fakeClock();
  const store = await openStore(":memory:");
  const logs = await Deno.makeTempDir({ prefix: "azmw-ui-logs-" });
  const config = testConfig([]);
  config.logs = { ...config.logs, dir: logs };
  config.budget = { dailyEur: 10, alertThresholds: [], defaultMaxOutputTokens: 256 };
  const days = new DayClock("UTC");
  const calls = new RecentCalls({ dayOf: (ms) => days.dayOf(ms), capacity: 50 });
  const changes: string[] = [];
  const errors: unknown[] = [];
  const handler = createAdminUi({
    tokens: { admin: ADMIN, reader: READER },
    manageContext: (actor: Actor) => {
      if (options.failWith) throw options.failWith;
      return { store, now: clock.now, random: secureRandom, actor, onChange: () => changes.push(actor.id) };
    },
    config: () => config,
    calls,
    spendToday: (scope = "global") => options.spend?.[scope] ?? 0,
    prices: () => new PriceTable(undefined),
    now: clock.now,
    onError: (err) => errors.push(err),
  });
  type Init = {
    method?: string;
    form?: Record<string, string | string[]>;
    auth?: string | null;
    headers?: Record<string, string>;
  };
  const request = async (path: string, init: Init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    const auth = init.auth === undefined ? ADMIN : init.auth;
    if (auth !== null) headers.authorization = `Basic ${btoa(`user:${auth}`)}`;
    let body: string | null = null;
    if (init.form) {
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form)) for (const x of [v].flat()) form.append(k, x);
      body = form.toString();
      headers["content-type"] ??= "application/x-www-form-urlencoded";
    }
    const res = await handler(
      new Request(`${ORIGIN}${path}`, { method: init.method ?? (init.form ? "POST" : "GET"), headers, body }),
      LIVE,
    );
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  /** The CSRF token of a Basic-auth user, read from a page. */
  const csrfOf = async (auth = ADMIN) => {
    const page = await request("/admin/", { auth });
    return /name="csrf-token" content="([^"]+)"/.exec(page.text)![1]!;
  };
  /** A write as the admin with the right token and origin. */
  const post = async (path: string, form: Record<string, string | string[]> = {}) =>
    request(path, { form: { ...form, csrf: await csrfOf() }, headers: { origin: ORIGIN } });
  return {
    store,
    clock,
    calls,
    config,
    changes,
    errors,
    handler,
    request,
    csrfOf,
    post,
    async close() {
      await store.close();
      await Deno.remove(logs, { recursive: true });
    },
  };
}

/**
 * A real gateway with governance, cost control, the request log and the admin UI, on port 0 in front of
 * the mock upstream — for the admin UI's browser and handler tests and the screenshot script.
 */
import { createAdminUi, RecentCalls } from "../../src/admin/ui/mod.ts";
import { resolveCallerKeys } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import { costStage, createCostControl } from "../../src/cost/mod.ts";
import { openGovernance } from "../../src/server/governance.ts";
import { DayClock } from "../../src/logs/day.ts";
import { openRequestLog } from "../../src/logs/mod.ts";
import { serveMock } from "../../src/mock/mod.ts";
import { createAppLog } from "../../src/observability/app_log.ts";
import { startGateway } from "../../src/server/gateway.ts";
import { CALLER_KEY, CALLER_SHA, UPSTREAM_KEY } from "./app.ts";
import { governed } from "./callers.ts";
import { azureUpstream, testConfig } from "./config.ts";

export { CALLER_KEY };
export const ADMIN_TOKEN = "ui-admin-token-0123456789abcdef";
export const READER_TOKEN = "ui-reader-token-0123456789abcdef";

/** Starts mock upstream + gateway with the admin UI; `close()` stops both and removes the temp dir. */
export async function startAdminGateway(options: { configure?: (c: Config) => void; logsDir?: string } = {}) {
  const dir = await Deno.makeTempDir({ prefix: "azmw-ui-" });
  const mock = serveMock({ apiKey: UPSTREAM_KEY });
  const config = testConfig([azureUpstream(mock.url)], { dataDir: dir });
  config.auth.keys = [{ id: "dev", sha256: CALLER_SHA, project: "demo" }];
  config.manage = { token: "env:UI_ADMIN", readerToken: "env:UI_READER", store: ":memory:", cacheTtlMs: 0 };
  config.budget = { dailyEur: 5, alertThresholds: [], defaultMaxOutputTokens: 256 };
  config.logs = { ...config.logs, dir: options.logsDir ?? `${dir}/logs`, bodies: false };
  options.configure?.(config);
  const vars: Record<string, string> = {
    UI_ADMIN: ADMIN_TOKEN,
    UI_READER: READER_TOKEN,
    TEST_UPSTREAM_KEY: UPSTREAM_KEY,
  };
  const env = (n: string) => vars[n];
  const errors: unknown[] = [];
  const log = createAppLog(() => {});
  const requestLog = await openRequestLog(config, { env, warn: () => {} });
  const governance = await openGovernance(config, {
    callerKeys: await resolveCallerKeys(config, { env }),
    env,
    onError: (err) => errors.push(err),
  });
  const cost = createCostControl(config, { env, tokenizer: false });
  const days = new DayClock(config.server.timezone);
  const calls = new RecentCalls({ dayOf: (ms) => days.dayOf(ms) });
  const admin = createAdminUi({
    tokens: governance.admin.tokens,
    manageContext: governance.admin.manageContext,
    config: () => config,
    calls,
    spendToday: (scope) => cost.spendToday(scope),
    prices: () => cost.prices,
    onError: (err) => errors.push(err),
  });
  const waiters: (() => void)[] = [];
  let finished = 0;
  const { callers, routes } = governed(governance, [costStage(cost)]);
  const gateway = await startGateway(config, {
    env,
    log,
    callers,
    sinks: [requestLog.sink, calls.sink, () => {
      finished++;
      waiters.splice(0).forEach((w) => w());
    }],
    routes: { ...routes, admin },
    pool: false,
    onClose: async () => {
      await requestLog.close();
      await governance.close();
      await mock.shutdown();
    },
  });
  return {
    url: gateway.url,
    config,
    cost,
    calls,
    errors,
    dir,
    /** Resolves once `n` calls have finished. */
    callsReached: (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => finished >= n ? resolve() : waiters.push(check);
        check();
      }),
    /** One chat call with `key`; returns the status. */
    async chat(key: string, model = "gpt-4o"): Promise<number> {
      const res = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model, messages: [{ role: "user", content: "Hello" }], max_tokens: 20 }),
      });
      await res.body?.cancel();
      return res.status;
    },
    async close() {
      await gateway.shutdown(1_000);
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/**
 * Counters shared by replicas through one Redis server (`shared.redis`): RPM/TPM windows, daily cost
 * reservations and settlements, token use counts, budget-alert claims and change notices. `openSharedCounters`
 * builds them all over one connection; with no `shared.redis` configured it returns `null` and every limit
 * stays local to the process.
 */
import { resolveSecret, type SecretDeps } from "../config/secrets.ts";
import type { Config } from "../config/types.ts";
import type { SpendCounters } from "../cost/counters.ts";
import type { SharedGovernance } from "../governance/runtime.ts";
import type { GatewayMetrics } from "../observability/metrics.ts";
import { ConfigError } from "../core/errors.ts";
import { SHARED_DEFAULTS } from "../config/schema_shared.ts";
import { openShared, type SharedClient, type SharedHealth } from "./client.ts";
import { createSharedNotices } from "./notices.ts";
import { createSharedRateLimiter } from "./rate_window.ts";
import { createSharedSpend, type SharedSpend } from "./spend.ts";
import { createSharedUses } from "./uses.ts";

export { openShared, type SharedClient, sharedUnavailable } from "./client.ts";

/** Options of `openSharedCounters()`. */
export interface SharedCountersOptions extends SecretDeps {
  /** App-log warnings. */
  warn?: (message: string, fields?: Record<string, unknown>) => void;
  /** Background failures (a token settlement that could not be written). */
  onError?: (err: unknown) => void;
  /** How long start waits for the first connection; default 2000. */
  connectWaitMs?: number;
}

/** Everything the gateway takes from the shared counters. */
export interface SharedCounters {
  client: SharedClient;
  governance: SharedGovernance;
  spend: SharedSpend & SpendCounters;
  /** Claims a budget alert across replicas (SET NX per day, scope and threshold). */
  claimAlert(scope: string, day: string, threshold: number): Promise<boolean>;
  /** The `shared` field of `/health`. */
  health(): SharedHealth & { queued_settlements: number };
  /** Adds the shared counters' series to `/metrics`. */
  register(metrics: Pick<GatewayMetrics, "gauge">): void;
  close(): Promise<void>;
}

/** Connects to `config.shared.redis`, or returns `null` when it is not configured. */
export async function openSharedCounters(
  config: Config,
  options: SharedCountersOptions = {},
): Promise<SharedCounters | null> {
  const s = config.shared;
  if (s?.redis === undefined) return null;
  const url = /^(env|file):/.test(s.redis)
    ? await resolveSecret(s.redis, {
      ...(options.env ? { env: options.env } : {}),
      ...(options.readTextFile ? { readTextFile: options.readTextFile } : {}),
      path: "shared.redis",
      source: config.source,
    })
    : s.redis;
  if (!/^rediss?:\/\//.test(url)) {
    const message = 'the secret is not a "redis://" or "rediss://" URL';
    throw new ConfigError([{ path: "shared.redis", message }], config.source);
  }
  const prefix = s.prefix ?? SHARED_DEFAULTS.prefix;
  const client = await openShared({
    url,
    prefix,
    mode: s.onUnavailable ?? SHARED_DEFAULTS.onUnavailable,
    timeoutMs: s.timeoutMs ?? SHARED_DEFAULTS.timeoutMs,
    ...(options.warn ? { warn: options.warn } : {}),
  });
  // A replica that starts while Redis is reachable serves its first call on the shared counters; one that
  // cannot reach it in time starts anyway (closed: 503 until it connects; open: local limits).
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    client.whenReady(),
    new Promise<void>((resolve) => timer = setTimeout(resolve, options.connectWaitMs ?? 2_000)),
  ]);
  clearTimeout(timer);
  const notices = createSharedNotices(client);
  const uses = createSharedUses(client);
  const spend = createSharedSpend(client, {
    instance: config.server.instance,
    ...(options.warn ? { warn: options.warn } : {}),
  });
  const onError = options.onError ?? (() => {});
  const governance: SharedGovernance = {
    limiter: (local) => createSharedRateLimiter(client, { local, onError }),
    uses,
    announce: () => void notices.announce(),
    onNotice: (listener) => void notices.listen(listener),
  };
  return {
    client,
    governance,
    spend,
    async claimAlert(scope, day, threshold) {
      const key = `${prefix}alert:${day}:${scope}:${threshold}`;
      // Unreachable Redis: better a repeated alert than a lost one.
      return await client.run(
        "budget_alert",
        async (r) => (await r.set(key, "1", "EX", 172_800, "NX")) === "OK",
        () => true,
      )
        .catch(() => true);
    },
    health: () => ({ ...client.health(), queued_settlements: spend.queued() }),
    register(metrics) {
      metrics.gauge(
        "azmw_shared_up",
        "Whether the shared counters (Redis) answer: 1 up, 0 down",
        [],
        () => [[undefined, client.available() ? 1 : 0]],
      );
      metrics.gauge(
        "azmw_shared_fallback_total",
        "Calls that could not use the shared counters (Redis): local limits (open) or 503 (closed)",
        ["counter", "mode"],
        () => [...client.fallbacks()].map(([counter, n]) => [{ counter, mode: client.mode }, n]),
        { counter: true },
      );
      metrics.gauge(
        "azmw_shared_queued_settlements",
        "Spend settlements waiting for the shared counters (Redis) to come back",
        [],
        () => [[undefined, spend.queued()]],
      );
    },
    close: () => client.close(),
  };
}

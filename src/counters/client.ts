/**
 * The connection to the Redis server that replicas share, and the one rule for when it fails: a command
 * that errors or takes longer than `timeoutMs` marks Redis unavailable for `pauseMs` (later calls skip it
 * instead of each waiting out the timeout); `closed` then refuses calls with 503, `open` runs the local
 * fallback, warns (once per outage) and counts it. The client reconnects by itself; a reconnect ends the
 * pause at once.
 */
import { SHARED_DEFAULTS } from "../config/schema_shared.ts";
import type { Redis } from "ioredis";
import { GatewayError } from "../core/errors.ts";
import { createSettleBatcher, type SettleKind } from "./batch.ts";

/** What the gateway does while Redis is unavailable. */
export type UnavailableMode = "closed" | "open";

/** Options of `openShared()`. */
export interface SharedOptions {
  /** `redis://host:port/db` (already resolved from a secret reference). */
  url: string;
  /** Prefix of every key, e.g. `azmw:`. */
  prefix: string;
  mode: UnavailableMode;
  /** Longest wait for one round trip; default 250. */
  timeoutMs?: number;
  /** How long a failure sends calls straight to the fallback (or 503); default 1000. */
  pauseMs?: number;
  /** App-log warnings (lost, back, falling back). */
  warn?: (message: string, fields?: Record<string, unknown>) => void;
  /** Wall clock in ms. */
  now?: () => number;
}

/** Health of the shared counters for `/health`. */
export interface SharedHealth {
  status: "up" | "down";
  on_unavailable: UnavailableMode;
  /** Why it is down (a short reason, never the URL). */
  error?: string;
  /** Calls served by local limits instead of Redis (`open`) or refused (`closed`), per counter. */
  fallbacks: Record<string, number>;
}

/** The shared Redis connection (commands and pub/sub). */
export interface SharedClient {
  readonly prefix: string;
  readonly mode: UnavailableMode;
  /** The command connection; use only through `run`. */
  readonly redis: Redis;
  /**
   * Runs `op` against Redis; when Redis is unavailable, `closed` throws the 503 `GatewayError` and `open`
   * returns `fallback()` (counted under `counter`).
   */
  run<T>(counter: string, op: (r: Redis) => Promise<T>, fallback: () => T | Promise<T>): Promise<T>;
  /** Runs a settlement in the next batch (use inside `attempt`). */
  settle(kind: SettleKind, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
  /** Like `run` for writes that must not be lost: resolves `false` when Redis failed (caller retries). */
  attempt(op: (r: Redis) => Promise<unknown>): Promise<boolean>;
  /** Whether Redis answered the last command and is connected. */
  available(): boolean;
  /** Runs `listener` each time the connection is (re)established. */
  onReady(listener: () => void): void;
  /** Resolves once the command connection is ready (at once when it is). */
  whenReady(): Promise<void>;
  /** Publishes `message` on the prefixed `channel`; failures are reported through `warn` only. */
  publish(channel: string, message: string): Promise<void>;
  /** Calls `listener` for each message on the prefixed `channel` (also after reconnects). */
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  health(): SharedHealth;
  /** Fallback counts per counter (for `/metrics`). */
  fallbacks(): ReadonlyMap<string, number>;
  close(): Promise<void>;
}

/** The 503 of `on_unavailable: closed`. */
export function sharedUnavailable(cause?: unknown): GatewayError {
  return new GatewayError(
    503,
    "shared_counters_unavailable",
    "The gateway cannot reach its shared counters (Redis) to check this caller's limits; try again shortly",
    { headers: { "retry-after": "1" }, cause },
  );
}

/**
 * Connects to Redis (without waiting: a server that is down at start is retried in the background).
 * `ioredis` is loaded here, on first use, so configs without shared counters never pay its memory.
 */
export async function openShared(options: SharedOptions): Promise<SharedClient> {
  const { Redis } = await import("ioredis");
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? SHARED_DEFAULTS.timeoutMs;
  const pauseMs = options.pauseMs ?? 1_000;
  const warn = options.warn ?? (() => {});
  const common = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: Math.max(1_000, timeoutMs * 4),
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
  };
  const redis = new Redis(options.url, { ...common, commandTimeout: timeoutMs, enableAutoPipelining: true });
  // The subscription waits for a connection however long it takes (a server down at start included).
  const sub = new Redis(options.url, { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null });
  const batcher = createSettleBatcher(redis);
  const counts = new Map<string, number>();
  const readyListeners: (() => void)[] = [];
  const channels = new Map<string, ((message: string) => void)[]>();
  let pausedUntil = 0;
  let lastError = "connecting";
  // Not "down" until a failure is seen, so a server that is down at start is warned about too.
  let down = false;
  let closed = false;

  const failed = (err: unknown) => {
    pausedUntil = now() + pauseMs;
    lastError = reason(err);
    if (!down) {
      down = true;
      warn("Shared counters (Redis) unavailable", { on_unavailable: options.mode, reason: lastError });
    }
  };
  redis.on("error", (err) => failed(err));
  redis.on("close", () => !closed && failed(new Error("connection closed")));
  redis.on("ready", () => {
    pausedUntil = 0;
    if (down) {
      down = false;
      lastError = "";
      warn("Shared counters (Redis) connected");
    }
    for (const l of readyListeners) l();
  });
  sub.on("error", () => {});
  sub.on("message", (channel: string, message: string) => {
    for (const l of channels.get(channel) ?? []) l(message);
  });
  redis.connect().catch(failed);
  sub.connect().catch(() => {});

  const usable = () => !closed && redis.status === "ready" && now() >= pausedUntil;

  return {
    prefix: options.prefix,
    mode: options.mode,
    redis,
    async run(counter, op, fallback) {
      if (usable()) {
        try {
          return await op(redis);
        } catch (err) {
          failed(err);
          return degrade(counter, fallback, err);
        }
      }
      return degrade(counter, fallback, new Error(lastError));
    },
    settle: (kind, keys, args) => batcher.add(kind, keys, args),
    async attempt(op) {
      if (!usable()) return false;
      try {
        await op(redis);
        return true;
      } catch (err) {
        failed(err);
        return false;
      }
    },
    available: usable,
    onReady(listener) {
      readyListeners.push(listener);
    },
    whenReady() {
      if (redis.status === "ready") return Promise.resolve();
      return new Promise((resolve) => redis.once("ready", () => resolve()));
    },
    async publish(channel, message) {
      if (!usable()) return;
      try {
        await redis.publish(options.prefix + channel, message);
      } catch (err) {
        failed(err);
      }
    },
    async subscribe(channel, listener) {
      const name = options.prefix + channel;
      const list = channels.get(name) ?? [];
      list.push(listener);
      channels.set(name, list);
      // ioredis re-subscribes after a reconnect; the offline queue holds this until the first connect.
      if (list.length === 1) await sub.subscribe(name).catch(() => {});
    },
    health() {
      const up = usable();
      return {
        status: up ? "up" : "down",
        on_unavailable: options.mode,
        ...(up ? {} : { error: lastError || "connecting" }),
        fallbacks: Object.fromEntries(counts),
      };
    },
    fallbacks: () => counts,
    async close() {
      closed = true;
      redis.disconnect();
      sub.disconnect();
      await Promise.resolve();
    },
  };

  function degrade<T>(counter: string, fallback: () => T | Promise<T>, err: unknown): T | Promise<T> {
    counts.set(counter, (counts.get(counter) ?? 0) + 1);
    if (options.mode === "closed") throw sharedUnavailable(err);
    return fallback();
  }
}

/** A short reason for logs and `/health`: the error's message without any URL in it. */
function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/rediss?:\/\/\S+/g, "<redis>").slice(0, 200);
}

/**
 * Daily spend per scope in Redis: one hash per day and scope (`spent`, `reserved`, `inflight`, in
 * nano-euros so sums stay exact integers), checked and reserved by one script per call and settled by
 * another. A settlement that cannot be written (Redis down) is queued and retried when Redis is back, so
 * no spend is lost. Each day has a marker set by the first rebuild from the request records; a Redis that
 * lost its data (a restart without persistence) has no marker, and the next replica to reconnect rebuilds.
 */
import type { ReserveOutcome, SharedReservation, SpendCounters } from "../cost/counters.ts";
import { roundEur } from "../cost/calculator.ts";
import type { SharedClient } from "./client.ts";
import { evalScript, REBUILD, RECOVER, RESERVE } from "./lua.ts";

/** Options of `createSharedSpend()`. */
export interface SharedSpendOptions {
  /** Most settlements kept while Redis is down (older ones are dropped with a warning). Default 100000. */
  maxQueued?: number;
  /** Reports dropped settlements. */
  warn?: (message: string) => void;
  /** This replica's name (`server.instance`): what it holds is kept under it. Default `azmw`. */
  instance?: string;
}

/** Shared spend counters plus their retry queue. */
export interface SharedSpend extends SpendCounters {
  /** Settlements waiting for Redis. */
  queued(): number;
  /** Retries queued settlements now; resolves once the queue is empty or Redis failed again. */
  drain(): Promise<void>;
  /**
   * Gives back the reservations this replica held before it (re)started — calls that were in flight when
   * it stopped, which will never settle. Call once at start. Resolves to the number of calls given back.
   */
  recover(): Promise<number>;
}

const NANO = 1e9;
/** Spend keys live two days: long enough for calls that settle after midnight. */
const TTL_S = 2 * 86_400;

interface Booking {
  reservation: SharedReservation | null;
  day: string;
  scopes: readonly string[];
  eur: number;
}

/** Creates the Redis spend counters over `shared`. */
export function createSharedSpend(shared: SharedClient, options: SharedSpendOptions = {}): SharedSpend {
  const maxQueued = options.maxQueued ?? 100_000;
  const tag = options.instance ?? "azmw";
  const queue: Booking[] = [];
  const last = new Map<string, number>();
  let lastDay = "";
  let draining: Promise<void> | null = null;
  const key = (day: string, scope: string) => `${shared.prefix}spend:${day}:${scope}`;
  const nano = (eur: number) => String(Math.round(eur * NANO));
  const eurOf = (v: unknown) => roundEur(Number(v) / NANO);

  const remember = (day: string, spent: Record<string, number>) => {
    if (day !== lastDay) {
      lastDay = day;
      last.clear();
    }
    for (const [scope, eur] of Object.entries(spent)) last.set(scope, eur);
  };

  const write = async (b: Booking): Promise<Record<string, number>> => {
    const held = b.reservation?.scopes.map((s) => key(b.reservation!.day, s)) ?? [];
    const keys = [...held, ...b.scopes.map((s) => key(b.day, s))];
    const args = [held.length, nano(b.reservation?.eur ?? 0), nano(b.eur), TTL_S, tag];
    const out = await shared.settle("s", keys, args) as string[];
    const spent: Record<string, number> = {};
    b.scopes.forEach((s, i) => spent[s] = eurOf(out[i]));
    remember(b.day, spent);
    return spent;
  };

  const enqueue = (b: Booking) => {
    if (queue.length >= maxQueued) {
      queue.shift();
      options.warn?.(
        "Dropped a queued shared spend settlement: the queue is full while Redis is unavailable",
      );
    }
    queue.push(b);
  };

  const drain = (): Promise<void> => {
    draining ??= (async () => {
      while (queue.length > 0) {
        const b = queue[0]!;
        if (!await shared.attempt(() => write(b))) break;
        queue.shift();
      }
    })().finally(() => draining = null);
    return draining;
  };
  shared.onReady(() => void drain());

  return {
    async reserve(request): Promise<ReserveOutcome | null> {
      const keys = request.scopes.map((s) => key(request.day, s));
      const args: (string | number)[] = [
        nano(request.eur),
        request.alt ? nano(request.alt.eur) : -1,
        request.alt?.at ?? 2,
        TTL_S,
        request.caps.length,
        tag,
      ];
      for (const c of request.caps) {
        let at = request.scopes.indexOf(c.scope);
        if (at < 0) {
          keys.push(key(request.day, c.scope));
          at = keys.length - 1;
        }
        args.push(at + 1, nano(c.cap));
      }
      const out = await shared.run(
        "daily_cost",
        (r) => evalScript(r, RESERVE, keys, args) as Promise<(number | string)[]>,
        () => null,
      );
      if (out === null) return null;
      if (Number(out[0]) === 1) {
        const shifted = Number(out[1]) === 1;
        return { ok: true, shifted, eur: shifted ? request.alt!.eur : request.eur };
      }
      const cap = request.caps[Number(out[1]) - 1]!;
      const tooBig = Number(out[4]) === 1;
      return { ok: false, cap, spent: eurOf(out[2]), reserved: eurOf(out[3]), ...(tooBig ? { tooBig } : {}) };
    },
    async settle(reservation, booking) {
      const b = { reservation, ...booking };
      if (queue.length === 0) {
        let spent: Record<string, number> | null = null;
        if (await shared.attempt(async () => spent = await write(b))) return spent;
      }
      enqueue(b);
      return null;
    },
    async seed(day, spent) {
      const scopes = Object.keys(spent);
      const keys = [`${shared.prefix}spend:${day}:rebuilt`, ...scopes.map((s) => key(day, s))];
      let set = false;
      await shared.attempt(async (r) => {
        set = Number(
          await evalScript(r, REBUILD, keys, [
            TTL_S,
            ...scopes.map((s) => nano(spent[s]!)),
          ]),
        ) === 1;
      });
      if (set) remember(day, spent);
      return set;
    },
    async recover() {
      let freed = 0;
      await shared.attempt(async (r) => {
        let cursor = "0";
        do {
          const [next, keys] = await r.scan(cursor, "MATCH", `${shared.prefix}spend:*`, "COUNT", 500);
          cursor = next;
          const hashes = keys.filter((k) => !k.endsWith(":rebuilt"));
          if (hashes.length > 0) {
            freed = Math.max(freed, Number(await evalScript(r, RECOVER, hashes, [tag])));
          }
        } while (cursor !== "0");
      });
      return freed;
    },
    spent: (scope) => last.get(scope),
    queued: () => queue.length,
    drain,
  };
}

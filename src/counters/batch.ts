/**
 * Settlements batched into one script per event-loop turn: every call that ends settles its token
 * charge and its cost after the response, and many end together under load, so one round trip and one
 * command carry all of them instead of two commands per call. Nothing on the request path waits for it.
 */
import type { Redis } from "ioredis";
import { evalScript, SETTLE_BATCH } from "./lua.ts";

/** A settlement operation: a token-bucket adjustment (`a`) or a spend settlement (`s`). */
export type SettleKind = "a" | "s";

/** Queues settlements and sends them together. */
export interface SettleBatcher {
  /** Runs one operation in the next batch; rejects when the batch could not be written. */
  add(kind: SettleKind, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

interface Op {
  kind: SettleKind;
  keys: readonly string[];
  args: readonly (string | number)[];
  done: PromiseWithResolvers<unknown>;
}

/** Creates a batcher over `redis` (at most `maxOps` operations per script; default 128). */
export function createSettleBatcher(redis: Redis, options: { maxOps?: number } = {}): SettleBatcher {
  const maxOps = options.maxOps ?? 128;
  let queue: Op[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    timer = undefined;
    while (queue.length > 0) {
      const ops = queue.slice(0, maxOps);
      queue = queue.slice(maxOps);
      const keys: string[] = [];
      const args: (string | number)[] = [ops.length];
      for (const op of ops) {
        keys.push(...op.keys);
        args.push(op.kind, op.keys.length, op.args.length, ...op.args);
      }
      evalScript(redis, SETTLE_BATCH, keys, args).then(
        (out) => ops.forEach((op, i) => op.done.resolve((out as unknown[])[i])),
        (err) => ops.forEach((op) => op.done.reject(err)),
      );
    }
  };

  return {
    add(kind, keys, args) {
      const done = Promise.withResolvers<unknown>();
      queue.push({ kind, keys, args, done });
      timer ??= setTimeout(flush, 0);
      return done.promise;
    },
  };
}

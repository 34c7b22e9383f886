/**
 * What every management handler gets: the store, the clock, randomness, who is acting, and a hook that
 * runs after each change (the caller cache listens there). Also query paging and store error mapping.
 */
import { GatewayError } from "../core/errors.ts";
import type { RandomBytes } from "./credentials.ts";
import { type Actor, type ListQuery, type Store, StoreError } from "../store/types.ts";

/** The context of one management request. */
export interface ManageContext {
  store: Store;
  now: () => number;
  random: RandomBytes;
  actor: Actor;
  /** Runs after every successful change. */
  onChange: () => void;
}

/** A handler's answer: status and JSON body. */
export interface ManageResult {
  status: number;
  body: unknown;
}

/** Default and largest page size of list endpoints. */
export const PAGE = { limit: 20, max: 100 } as const;

/** Reads `limit` and `cursor` from the query string. */
export function pageQuery(query: URLSearchParams): ListQuery {
  const raw = query.get("limit");
  let limit: number = PAGE.limit;
  if (raw !== null) {
    limit = Number(raw);
    if (!/^\d+$/.test(raw) || limit < 1 || limit > PAGE.max) {
      throw invalid(
        "limit",
        `expected an integer from 1 to ${PAGE.max}, got ${JSON.stringify(raw.slice(0, 20))}`,
      );
    }
  }
  const cursor = query.get("cursor");
  return cursor === null || cursor === "" ? { limit } : { limit, cursor };
}

/** The list envelope of every list endpoint. */
export function listBody(items: unknown[], nextCursor: string | null): Record<string, unknown> {
  return { object: "list", data: items, next_cursor: nextCursor, has_more: nextCursor !== null };
}

/** A 400 naming the field at fault. */
export function invalid(param: string, message: string): GatewayError {
  return new GatewayError(400, "invalid_value", `Invalid "${param}": ${message}`, {
    type: "invalid_request_error",
    param,
  });
}

/** A 404 for a record that does not exist. */
export function notFound(what: string, id: string): GatewayError {
  return new GatewayError(404, "not_found", `${what} "${id}" does not exist`);
}

/** Runs a store call, turning `StoreError`s into 404 / 409 / 400 / 503. */
export async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    if (err.code === "not_found") throw new GatewayError(404, "not_found", err.message, { cause: err });
    if (err.code === "conflict") throw new GatewayError(409, "conflict", err.message, { cause: err });
    if (err.code === "unavailable") {
      throw new GatewayError(503, "store_unavailable", "The store is unavailable right now; try again", {
        cause: err,
      });
    }
    throw new GatewayError(400, "invalid_value", err.message, { param: "cursor", cause: err });
  }
}

/** Runs a change, then the change hook. */
export async function changeCall<T>(ctx: ManageContext, fn: () => Promise<T>): Promise<T> {
  const result = await storeCall(fn);
  ctx.onChange();
  return result;
}

/** A management API over an in-memory store, with a fake clock and JSON request helpers. */
import { createManageApi } from "../../src/admin/api.ts";
import { openStore } from "../../src/store/mod.ts";
import { fakeClock } from "../governance/_fixtures.ts";

export const ADMIN = "admin-token-0123456789";
export const READER = "reader-token-0123456789";

/** Starts the API; `call()` sends one JSON request with the given token. */
export async function manageApi(options: { onChange?: () => void; path?: string } = {}) {
  const clock = fakeClock();
  const store = await openStore(options.path ?? ":memory:");
  const changes: number[] = [];
  const handler = createManageApi(store, {
    adminToken: ADMIN,
    readerToken: READER,
    now: clock.now,
    onChange: options.onChange ?? (() => changes.push(clock.now())),
  });
  const call = async (method: string, path: string, body?: unknown, token: string | null = ADMIN) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
    const res = await handler(new Request(`http://gw${path}`, init));
    const text = await res.text();
    // deno-lint-ignore no-explicit-any
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as any };
  };
  return { store, clock, changes, handler, call };
}

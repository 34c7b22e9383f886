/**
 * Who is using the admin UI: a session cookie set by the sign-in form (HttpOnly, SameSite=Strict, path
 * `/admin`), or HTTP Basic auth with any user name and the admin or reader management token as the
 * password. Each principal has a CSRF token that every write must carry; writes must also come from the
 * UI's own origin.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { RandomBytes } from "../credentials.ts";
import { TokenRoles } from "../token_roles.ts";

/** What a signed-in user may do: the admin token reads and writes, the reader token only reads. */
export type Role = "admin" | "reader";

/** A signed-in user. */
export interface Principal {
  role: Role;
  /** The token every write must carry (hidden form field `csrf` or header `x-csrf-token`). */
  csrf: string;
  /** How the user signed in. */
  via: "session" | "basic";
}

/** Name of the session cookie. */
export const SESSION_COOKIE = "azmw_admin";
/** How long a session lasts from sign-in. */
export const SESSION_TTL_MS = 12 * 3_600_000;
const MAX_SESSIONS = 1_000;

interface Session {
  role: Role;
  csrf: string;
  expiresAt: number;
}

/** Sessions and token checks of one gateway process (sessions end with the process). */
export class UiAuth {
  readonly #roles: TokenRoles;
  readonly #sessions = new Map<string, Session>();
  readonly #secret: Uint8Array;
  readonly #now: () => number;
  readonly #random: RandomBytes;

  /** Builds the checks over the resolved management tokens. */
  constructor(
    tokens: { admin: string | null; reader: string | null },
    options: { now?: () => number; random?: RandomBytes } = {},
  ) {
    this.#roles = new TokenRoles(tokens);
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? ((n) => crypto.getRandomValues(new Uint8Array(n)));
    this.#secret = this.#random(32);
  }

  /** The role a token grants, or `null`; compares against every role so timing tells nothing. */
  roleOf(token: string): Role | null {
    return this.#roles.roleOf(token);
  }

  /** The principal of a request (session cookie first, then Basic auth), or `null`. */
  identify(headers: Headers): Principal | null {
    const id = cookie(headers.get("cookie"), SESSION_COOKIE);
    if (id !== null) {
      const s = this.#sessions.get(id);
      if (s !== undefined && s.expiresAt > this.#now()) return { role: s.role, csrf: s.csrf, via: "session" };
      if (s !== undefined) this.#sessions.delete(id);
    }
    const password = basicPassword(headers.get("authorization"));
    if (password === null) return null;
    const role = this.roleOf(password);
    if (role === null) return null;
    // Stateless for Basic auth: the CSRF token is bound to the role by a key only this process knows.
    const csrf = createHmac("sha256", this.#secret).update(`basic:${role}`).digest("base64url");
    return { role, csrf, via: "basic" };
  }

  /** Starts a session for `role`; returns the cookie value. */
  startSession(role: Role): string {
    const now = this.#now();
    for (const [id, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(id);
    if (this.#sessions.size >= MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value!);
    const id = base64url(this.#random(32));
    this.#sessions.set(id, { role, csrf: base64url(this.#random(32)), expiresAt: now + SESSION_TTL_MS });
    return id;
  }

  /** Ends the session named by the request's cookie, if any. */
  endSession(headers: Headers): void {
    const id = cookie(headers.get("cookie"), SESSION_COOKIE);
    if (id !== null) this.#sessions.delete(id);
  }
}

/** Whether a write carries the principal's CSRF token and comes from the UI's own origin. */
export function writeAllowed(req: Request, form: URLSearchParams | null, principal: Principal): boolean {
  const origin = req.headers.get("origin");
  if (origin !== null && origin !== new URL(req.url).origin) return false;
  const site = req.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return false;
  const sent = req.headers.get("x-csrf-token") ?? form?.get("csrf") ?? "";
  const a = digest(sent);
  return timingSafeEqual(a, digest(principal.csrf));
}

/** The `Set-Cookie` value of a session (Secure when the UI is reached over HTTPS). */
export function sessionCookie(id: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}${
    secure ? "; Secure" : ""
  }`;
}

/** The `Set-Cookie` value that ends a session in the browser. */
export function clearedCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0${secure ? "; Secure" : ""}`;
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

/** One cookie's value from a `Cookie` header. */
export function cookie(header: string | null, name: string): string | null {
  if (header === null) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** The password of a Basic `Authorization` header, or `null`. */
export function basicPassword(header: string | null): string | null {
  const m = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (m === null) return null;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(m[1]!), (c) => c.charCodeAt(0)),
    );
  } catch {
    return null;
  }
  const colon = text.indexOf(":");
  return colon < 0 ? null : text.slice(colon + 1);
}

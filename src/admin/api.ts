/**
 * The management API as a plain handler: `createManageApi(store, options)` returns
 * `(req) => Promise<Response>` for `/manage/*`. Callers authenticate with `Authorization: Bearer` and a
 * management token: the admin token reads and writes, the reader token only reads. Errors use the
 * OpenAI error shape; every change lands in the audit trail with the acting role.
 */
import { type RandomBytes, secureRandom } from "./credentials.ts";
import { errorResponse, GatewayError } from "../core/errors.ts";
import type { Store } from "../store/types.ts";
import type { ManageContext } from "./context.ts";
import { type ManagementTokens, TokenRoles } from "./token_roles.ts";
import { dispatch, isWrite, matchManageRoute } from "./router.ts";

/** Options of `createManageApi()`. */
export interface ManageApiOptions {
  /** Admin token (read and write), resolved from `manage.token`. */
  adminToken?: string | null;
  /** Reader token (read only), resolved from `manage.reader_token`. */
  readerToken?: string | null;
  /** Live tokens instead of the two above: a rotation replaces their values and applies at once. */
  tokens?: ManagementTokens;
  /** Wall clock in ms. */
  now?: () => number;
  /** Random bytes for keys, tokens and ids. */
  random?: RandomBytes;
  /** Runs after every change (e.g. the caller resolver's `invalidate`). */
  onChange?: () => void;
  /** Reports an unexpected failure (a 500). */
  onError?: (err: unknown) => void;
  /** Largest request body; default 65536. */
  maxBodyBytes?: number;
}

const JSON_HEADERS = { "content-type": "application/json" };

/** Builds the `/manage/*` handler. */
export function createManageApi(
  store: Store,
  options: ManageApiOptions = {},
): (req: Request) => Promise<Response> {
  const roles = new TokenRoles(
    options.tokens ?? { admin: options.adminToken ?? null, reader: options.readerToken ?? null },
  );
  const base = {
    store,
    now: options.now ?? Date.now,
    random: options.random ?? secureRandom,
    onChange: options.onChange ?? (() => {}),
  };
  const maxBody = options.maxBodyBytes ?? 65_536;

  return async (req) => {
    try {
      const url = new URL(req.url);
      if (url.pathname !== "/manage" && !url.pathname.startsWith("/manage/")) {
        throw new GatewayError(404, "not_found", `Unknown management path "${url.pathname}"`);
      }
      if (roles.roles.length === 0) {
        throw new GatewayError(
          404,
          "management_disabled",
          'The management API is off: set "manage.token" in the config',
        );
      }
      const role = authenticate(req.headers, roles);
      const path = url.pathname.slice("/manage".length) || "/";
      if (isWrite(req.method) && role === "reader" && matchManageRoute(path)?.methods[req.method]) {
        throw new GatewayError(
          403,
          "read_only_token",
          "The reader token cannot make changes; use the admin token",
        );
      }
      const body = isWrite(req.method) ? await readJson(req, maxBody) : undefined;
      const ctx: ManageContext = { ...base, actor: { role, id: `manage:${role}` } };
      const result = await dispatch(ctx, { method: req.method, path, query: url.searchParams, body });
      const text = req.method === "HEAD" || result.status === 204 ? null : JSON.stringify(result.body);
      return new Response(text, { status: result.status, headers: JSON_HEADERS });
    } catch (err) {
      if (!(err instanceof GatewayError)) options.onError?.(err);
      return errorResponse(err);
    }
  };
}

function authenticate(headers: Headers, roles: TokenRoles): "admin" | "reader" {
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  if (m === null) {
    throw new GatewayError(
      401,
      "missing_management_token",
      'Missing management token: send "Authorization: Bearer <token>"',
      {
        headers: { "www-authenticate": 'Bearer realm="azmw-manage"' },
      },
    );
  }
  const found = roles.roleOf(m[1]!);
  if (found === null) {
    throw new GatewayError(401, "invalid_management_token", "Invalid management token", {
      headers: { "www-authenticate": 'Bearer realm="azmw-manage", error="invalid_token"' },
    });
  }
  return found;
}

async function readJson(req: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.length > maxBytes) throw tooLarge(maxBytes);
  const text = new TextDecoder().decode(bytes).trim();
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayError(400, "invalid_json", "The request body is not valid JSON");
  }
}

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError(413, "body_too_large", `The request body is larger than ${maxBytes} bytes`);
}

/**
 * How management commands reach the store: in-process on a local SQLite store (through the same route
 * table and validation as the API, audited as `cli:<user>`), or over HTTP to a running gateway's
 * management API.
 */
import { dispatch } from "../admin/router.ts";
import { secureRandom } from "../admin/credentials.ts";
import { loadConfig } from "../config/load.ts";
import { DEFAULTS } from "../config/schema.ts";
import { MANAGE_DEFAULTS } from "../config/schema_manage.ts";
import { GatewayError } from "../core/errors.ts";
import { openStore, storePath } from "../store/mod.ts";
import type { CliIo } from "../core/command.ts";
import { UsageError } from "../core/command.ts";
import type { CommonArgs } from "./manage_args.ts";

/** A JSON request to the management API. */
export interface ManageClient {
  /** Sends `method path` (below `/manage`) and returns the JSON body; throws `ManageError` on failure. */
  call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** A failed management call, with the API's status and message. */
export class ManageError extends Error {
  /** HTTP status of the answer. */
  readonly status: number;

  /** Creates the error. */
  constructor(status: number, message: string) {
    super(message);
    this.name = "ManageError";
    this.status = status;
  }
}

/** Opens the client the options ask for: remote with `--url` (or AZMW_MANAGE_URL), else local. */
export async function openClient(
  args: CommonArgs,
  io: CliIo,
  fetchFn: typeof fetch = fetch,
): Promise<ManageClient> {
  const url = args.url ?? io.env("AZMW_MANAGE_URL");
  if (url) {
    if (!/^https?:\/\/\S+$/.test(url)) {
      throw new UsageError(`Option "--url" expects an http(s) URL, got "${url}"`);
    }
    const token = args.token ?? io.env("AZMW_MANAGE_TOKEN");
    if (!token) {
      throw new UsageError('A management token is needed with "--url": use "--token" or AZMW_MANAGE_TOKEN');
    }
    return remoteClient(url.replace(/\/+$/, ""), token, fetchFn);
  }
  return await localClient(await localStorePath(args, io), io);
}

/** The store file of the local options: `--data-dir`, else the config's, else `./.azmw/azmw.db`. */
export async function localStorePath(
  args: Pick<CommonArgs, "dataDir" | "config">,
  io: CliIo,
): Promise<string> {
  if (args.dataDir !== undefined) return `${args.dataDir.replace(/\/+$/, "")}/${MANAGE_DEFAULTS.storeFile}`;
  const configPath = args.config ?? io.env("AZMW_CONFIG");
  if (configPath) return storePath(await loadConfig(configPath));
  return `${DEFAULTS.dataDir}/${MANAGE_DEFAULTS.storeFile}`;
}

async function localClient(path: string, io: CliIo): Promise<ManageClient> {
  const store = await openStore(path, { env: io.env });
  const ctx = {
    store,
    now: Date.now,
    random: secureRandom,
    actor: { role: "local" as const, id: `cli:${io.env("USER") ?? io.env("USERNAME") ?? "unknown"}` },
    onChange: () => {},
  };
  return {
    async call(method, path, body) {
      const [pathname, search = ""] = path.split("?", 2);
      try {
        const res = await dispatch(ctx, {
          method,
          path: pathname!,
          query: new URLSearchParams(search),
          body,
        });
        return res.body as Record<string, unknown>;
      } catch (err) {
        if (err instanceof GatewayError) throw new ManageError(err.status, err.message);
        throw err;
      }
    },
    close: () => store.close(),
  };
}

function remoteClient(base: string, token: string, fetchFn: typeof fetch): ManageClient {
  return {
    async call(method, path, body) {
      let res: Response;
      try {
        res = await fetchFn(`${base}/manage${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (err) {
        throw new ManageError(0, `Cannot reach "${base}": ${err instanceof Error ? err.message : err}`);
      }
      const text = await res.text();
      let json: Record<string, unknown> | null = null;
      try {
        json = JSON.parse(text);
      } catch {
        // Not JSON: reported below with the status.
      }
      if (res.ok && json !== null) return json;
      const error = (json?.error ?? null) as { message?: unknown } | null;
      const message = typeof error?.message === "string"
        ? error.message
        : `${res.status} ${res.statusText}`.trim();
      throw new ManageError(res.status, message);
    },
    close: () => Promise.resolve(),
  };
}

/** Runs `fn` with a client for `args`, closing it afterwards. */
export async function withClient<T>(
  args: CommonArgs,
  io: CliIo,
  fn: (client: ManageClient) => Promise<T>,
): Promise<T> {
  const client = await openClient(args, io);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/**
 * Start-up wiring: resolves the config's secret references once and builds the app's dependencies —
 * caller key digests, each upstream's credentials (built by its provider), and a `fetch` that sends each
 * upstream's calls through its own keep-alive connection pool.
 */
import { ProjectAuthCache } from "../providers/project_auth.ts";
import type { AzureAuthConfig, Config } from "../config/types.ts";
import { resolveCallerKeys } from "../config/load.ts";
import { resolveSecret } from "../config/secrets.ts";
import { sha256Hex } from "../pipeline/auth.ts";
import type { UpstreamAuth } from "../providers/auth.ts";
import type { TokenCredentialLike } from "../providers/azure/token_cache.ts";
import { createUpstreamPool } from "../providers/pool.ts";
import { providerOf } from "../providers/registry.ts";
import type { AppDeps } from "./app.ts";

/** I/O used while resolving secrets and credentials (tests inject fakes). */
export interface RuntimeOptions {
  env?: (name: string) => string | undefined;
  readTextFile?: (path: string) => Promise<string>;
  /** Builds the Entra credential of an upstream; defaults to `@azure/identity`. */
  credentialFactory?: (
    auth: Extract<AzureAuthConfig, { type: "entra" }>,
    clientSecret: string | undefined,
  ) => Promise<TokenCredentialLike>;
  now?: () => number;
  /** One `Deno.HttpClient` per upstream origin (default true); false uses the global `fetch`. */
  pool?: boolean;
}

/** The parts of `AppDeps` that come from the config, and `close()` for the connection pools. */
export type RuntimeDeps =
  & Pick<AppDeps, "config" | "callerKeys" | "upstreamAuth" | "fetch" | "projectAuth" | "managementDigests">
  & {
    /** Closes the upstream connection pools; call when the app is retired (reload) or shut down. */
    close(): void;
  };

/** Resolves secrets and builds the parts of `AppDeps` that come from the config. */
export async function buildAppDeps(config: Config, options: RuntimeOptions = {}): Promise<RuntimeDeps> {
  const secretDeps = {
    env: options.env ?? ((n: string) => Deno.env.get(n)),
    readTextFile: options.readTextFile ?? ((p: string) => Deno.readTextFile(p)),
  };
  const callerKeys = await resolveCallerKeys(config, secretDeps);
  const upstreamAuth = new Map<string, UpstreamAuth>();
  for (const [i, u] of config.upstreams.entries()) {
    const auth = await providerOf(u).createAuth(u, {
      path: `upstreams[${i}].auth`,
      secret: (ref, path) => resolveSecret(ref, { ...secretDeps, path }),
      ...(options.credentialFactory ? { credentialFactory: options.credentialFactory } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    upstreamAuth.set(u.name, auth);
  }
  const projectAuth = new ProjectAuthCache((ref, path) => resolveSecret(ref, { ...secretDeps, path }));
  const managementDigests: string[] = [];
  for (
    const [ref, path] of [[config.manage?.token, "manage.token"], [
      config.manage?.readerToken,
      "manage.reader_token",
    ]]
  ) {
    if (ref) managementDigests.push(sha256Hex(await resolveSecret(ref, { ...secretDeps, path: path! })));
  }
  const base = { config, callerKeys, upstreamAuth, projectAuth, managementDigests };
  if (options.pool === false) return { ...base, close() {} };
  const pool = createUpstreamPool(config.upstreams);
  return { ...base, fetch: pool.fetch, close: pool.close };
}

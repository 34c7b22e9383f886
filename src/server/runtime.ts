/**
 * Start-up wiring: resolves the config's secret references once and builds the app's dependencies
 * (caller key digests, upstream auth with cached Entra tokens).
 */
import type { Config } from "../config/types.ts";
import { resolveCallerKeys } from "../config/load.ts";
import { resolveSecret } from "../config/secrets.ts";
import { apiKeyAuth, createCredential, entraAuth, type UpstreamAuth } from "../providers/azure/auth.ts";
import { TokenCache, type TokenCredentialLike } from "../providers/azure/token_cache.ts";
import type { AppDeps } from "./app.ts";

/** I/O used while resolving secrets and credentials (tests inject fakes). */
export interface RuntimeOptions {
  env?: (name: string) => string | undefined;
  readTextFile?: (path: string) => Promise<string>;
  /** Builds the Entra credential of an upstream; defaults to `@azure/identity`. */
  credentialFactory?: (
    auth: Extract<Config["upstreams"][number]["auth"], { type: "entra" }>,
    clientSecret: string | undefined,
  ) => Promise<TokenCredentialLike>;
  now?: () => number;
}

/** Resolves secrets and builds the parts of `AppDeps` that come from the config. */
export async function buildAppDeps(
  config: Config,
  options: RuntimeOptions = {},
): Promise<Pick<AppDeps, "config" | "callerKeys" | "upstreamAuth">> {
  const secretDeps = {
    env: options.env ?? ((n: string) => Deno.env.get(n)),
    readTextFile: options.readTextFile ?? ((p: string) => Deno.readTextFile(p)),
  };
  const callerKeys = await resolveCallerKeys(config, secretDeps);
  const upstreamAuth = new Map<string, UpstreamAuth>();
  for (const [i, u] of config.upstreams.entries()) {
    const path = `upstreams[${i}].auth`;
    if (u.auth.type === "api_key") {
      upstreamAuth.set(
        u.name,
        apiKeyAuth(await resolveSecret(u.auth.key, { ...secretDeps, path: `${path}.key` })),
      );
      continue;
    }
    const secret = u.auth.clientSecret === undefined
      ? undefined
      : await resolveSecret(u.auth.clientSecret, { ...secretDeps, path: `${path}.client_secret` });
    const credential = await (options.credentialFactory ?? createCredential)(u.auth, secret);
    const cache = new TokenCache(credential, u.auth.scope, options.now ? { now: options.now } : {});
    upstreamAuth.set(u.name, entraAuth(cache));
    // Warm the token so the first call does not wait; a failure shows in /health and is retried per call.
    Promise.resolve(cache.get()).catch(() => {});
  }
  return { config, callerKeys, upstreamAuth };
}

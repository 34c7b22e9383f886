/**
 * Wires Azure Key Vault into secret resolution: one `KeyVaultSecrets` per process, built from the config's
 * `secrets` section with the same `@azure/identity` credentials the upstreams use. The credential is built
 * on the first `kv://` read, so configs without Key Vault references never touch it.
 */
import { resolveSecret, type SecretDeps } from "../config/secrets.ts";
import { SECRETS_DEFAULTS } from "../config/schema_secrets.ts";
import type { AzureAuthConfig, Config } from "../config/types.ts";
import { createCredential } from "../providers/azure/auth.ts";
import { KeyVaultSecrets } from "../providers/azure/key_vault.ts";
import type { TokenCredentialLike } from "../providers/azure/token_cache.ts";

type EntraAuth = Extract<AzureAuthConfig, { type: "entra" }>;

/** I/O of `createKeyVault()`; every field has a real default. */
export interface KeyVaultDeps extends Omit<SecretDeps, "external"> {
  /** Builds the credential (default `@azure/identity`, as for upstreams). */
  credentialFactory?: (auth: EntraAuth, clientSecret: string | undefined) => Promise<TokenCredentialLike>;
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  now?: () => number;
  warn?: (message: string) => void;
  /** A background refresh found a rotated value. */
  onChange?: (ref: string) => void;
}

/** Builds the Key Vault resolver of `config` (nothing is fetched until a `kv://` secret is read). */
export function createKeyVault(config: Config, deps: KeyVaultDeps = {}): KeyVaultSecrets {
  const s = config.secrets;
  const kv = s?.keyVault;
  const template = kv?.url ?? SECRETS_DEFAULTS.vaultUrl;
  const auth: EntraAuth = {
    type: "entra",
    credential: kv?.credential ?? "default",
    ...(kv?.tenantId ? { tenantId: kv.tenantId } : {}),
    ...(kv?.clientId ? { clientId: kv.clientId } : {}),
    scope: "https://vault.azure.net/.default",
  };
  const credential = async () => {
    const secret = kv?.clientSecret
      ? await resolveSecret(kv.clientSecret, {
        ...(deps.env ? { env: deps.env } : {}),
        ...(deps.readTextFile ? { readTextFile: deps.readTextFile } : {}),
        path: "secrets.key_vault.client_secret",
        source: config.source,
      })
      : undefined;
    return await (deps.credentialFactory ?? createCredential)(auth, secret);
  };
  return new KeyVaultSecrets({
    credential,
    ttlMs: (s?.ttlS ?? SECRETS_DEFAULTS.ttlS) * 1000,
    vaultUrl: (vault) => template.replaceAll("{vault}", vault),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.warn ? { warn: deps.warn } : {}),
    ...(deps.onChange ? { onChange: deps.onChange } : {}),
  });
}

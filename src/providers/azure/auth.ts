/**
 * Upstream authentication for Azure OpenAI: a static `api-key` header, or an Entra ID bearer token from
 * `@azure/identity` held in a `TokenCache`. Built once at start; secrets are resolved there, not per call.
 */
import type { AzureAuthConfig } from "../../config/types.ts";
import { headerAuth, type UpstreamAuth } from "../auth.ts";
import type { TokenCache, TokenCredentialLike } from "./token_cache.ts";

export type { UpstreamAuth } from "../auth.ts";

/** Auth with a static key sent as `api-key`. */
export function apiKeyAuth(key: string): UpstreamAuth {
  return headerAuth("api-key", key);
}

/** Auth with Entra ID tokens sent as `Authorization: Bearer`. */
export function entraAuth(cache: TokenCache): UpstreamAuth {
  return {
    apply(headers) {
      const t = cache.get();
      if (typeof t === "string") {
        headers.set("authorization", `Bearer ${t}`);
        return;
      }
      return t.then((token) => void headers.set("authorization", `Bearer ${token}`));
    },
    status: () => cache.status(),
  };
}

/** Builds the `@azure/identity` credential named by the config (client secret already resolved). */
export async function createCredential(
  auth: Extract<AzureAuthConfig, { type: "entra" }>,
  clientSecret: string | undefined,
): Promise<TokenCredentialLike> {
  const id = await import("@azure/identity");
  switch (auth.credential) {
    case "managed_identity":
      return auth.clientId
        ? new id.ManagedIdentityCredential({ clientId: auth.clientId })
        : new id.ManagedIdentityCredential();
    case "client_secret":
      if (!auth.tenantId || !auth.clientId || !clientSecret) {
        throw new TypeError("The client_secret credential needs tenant_id, client_id and client_secret");
      }
      return new id.ClientSecretCredential(auth.tenantId, auth.clientId, clientSecret);
    case "azure_cli":
      return new id.AzureCliCredential(auth.tenantId ? { tenantId: auth.tenantId } : {});
    default:
      return new id.DefaultAzureCredential({
        ...(auth.tenantId ? { tenantId: auth.tenantId } : {}),
        ...(auth.clientId ? { managedIdentityClientId: auth.clientId } : {}),
      });
  }
}

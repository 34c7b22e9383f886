/** Schema of the `secrets` section: how `kv://` references (Azure Key Vault) are read and cached. */
import { def, hidden, int, oneOf, opt, record, str } from "./schema_helpers.ts";
import { describeBadRef, isSecretRef } from "./secrets.ts";

/** Defaults of the `secrets` section. */
export const SECRETS_DEFAULTS = {
  ttlS: 300,
  vaultUrl: "https://{vault}.vault.azure.net",
} as const;

const envOrFile = hidden(
  { test: (s: string) => isSecretRef(s) && !s.startsWith("kv:") },
  'a secret reference "env:NAME" or "file:/path" (the Key Vault credential cannot come from Key Vault)',
  describeBadRef,
);

/** The `secrets` section. */
export const SECRETS = record({
  ttl_s: def(int(10, 86_400), SECRETS_DEFAULTS.ttlS),
  key_vault: def(
    record({
      credential: def(oneOf(["default", "managed_identity", "client_secret", "azure_cli"]), "default"),
      tenant_id: opt(str()),
      client_id: opt(str()),
      client_secret: opt(envOrFile),
      url: def(
        str(/^https?:\/\/[^\s]*\{vault\}[^\s]*$/, 'a URL template containing "{vault}"'),
        SECRETS_DEFAULTS.vaultUrl,
      ),
    }),
    {},
  ),
});

/**
 * Callers for gateways and apps built in tests: a plain authenticator over fixed caller-key digests (the
 * gateway itself always authenticates through governance's caller resolver), and the `callers` of
 * `startGateway` built from it or from a governance runtime.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Config } from "../../src/config/types.ts";
import type { AdmissionStage } from "../../src/core/admission.ts";
import type { Caller, CallerKey } from "../../src/core/caller.ts";
import { GatewayError } from "../../src/core/errors.ts";
import { presentedKey } from "../../src/pipeline/auth.ts";
import type { AppRoutes } from "../../src/server/app.ts";
import type { GovernanceRuntime } from "../../src/server/governance.ts";
import type { GenerationParts } from "../../src/server/runtime.ts";

const ANONYMOUS: Caller = Object.freeze({ keyId: "anonymous", project: null, tokenId: null });

/** Builds a caller authenticator over a fixed set of key digests. */
export function createAuthenticator(keys: readonly CallerKey[], options: { required?: boolean } = {}) {
  const byDigest = new Map<string, { key: CallerKey; digest: Buffer; caller: Caller }>();
  for (const key of keys) {
    const digest = Buffer.from(key.sha256, "hex");
    if (digest.length !== 32) throw new TypeError(`Caller key "${key.id}" has no valid SHA-256 digest`);
    byDigest.set(key.sha256.toLowerCase(), {
      key,
      digest,
      caller: Object.freeze({ keyId: key.id, project: key.project ?? null, tokenId: null }),
    });
  }
  const required = options.required ?? true;

  /** Returns the caller or throws a 401 `GatewayError`. */
  return function authenticate(headers: Headers): Caller {
    const presented = presentedKey(headers);
    if (presented === undefined) {
      if (!required) return ANONYMOUS;
      throw new GatewayError(
        401,
        "missing_api_key",
        'Missing API key: send it as "Authorization: Bearer <key>", "api-key" or "x-api-key"',
      );
    }
    const digest = createHash("sha256").update(presented).digest();
    const entry = byDigest.get(digest.toString("hex"));
    if (entry === undefined || !timingSafeEqual(digest, entry.digest)) {
      throw new GatewayError(401, "invalid_api_key", "Invalid API key provided");
    }
    return entry.caller;
  };
}

/** Admission stages, fixed or built per config generation. */
export type Stages = readonly AdmissionStage[] | ((config: Config) => readonly AdmissionStage[]);

const stagesOf = (stages: Stages, config: Config) => typeof stages === "function" ? stages(config) : stages;

/** `callers` over the config's own keys only (no store), then `admission`. */
export function configKeys(admission: Stages = []): GenerationParts["callers"] {
  return (config, keys) => ({
    authenticate: createAuthenticator(keys, { required: config.auth.required }),
    admission: stagesOf(admission, config),
  });
}

/** `callers` and the `/manage` route of a governance runtime, its stage followed by `admission`. */
export function governed(
  governance: Pick<GovernanceRuntime, "forConfig" | "manage">,
  admission: Stages = [],
): { callers: GenerationParts["callers"]; routes: Required<Pick<AppRoutes, "manage">> } {
  return {
    callers: (config, keys) => {
      const g = governance.forConfig(config, keys);
      return { authenticate: g.authenticate, admission: [g.admission, ...stagesOf(admission, config)] };
    },
    routes: { manage: governance.manage },
  };
}

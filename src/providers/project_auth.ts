/**
 * A project's own upstream credentials: a project may bring its own key for an upstream (a secret
 * reference stored with the project), used instead of the gateway's credential for that project's calls.
 * Each (upstream, reference) pair is resolved once and cached; a reference that does not resolve is a
 * 502 for that call and is tried again on the next one.
 */
import type { SecretRef, UpstreamConfig } from "../config/types.ts";
import { GatewayError } from "../core/errors.ts";
import type { UpstreamAuth } from "./auth.ts";
import { providerOf } from "./registry.ts";

/** The upstream's config with its credential replaced by the project's key reference. */
export function withProjectKey(upstream: UpstreamConfig, ref: SecretRef): UpstreamConfig {
  switch (upstream.kind) {
    case "azure":
      // An Azure resource accepts its key as `api-key` whatever the gateway itself uses (Entra or key).
      return { ...upstream, auth: { type: "api_key", key: ref } };
    case "openai":
      return { ...upstream, auth: { type: "bearer", key: ref } };
    case "anthropic":
      return { ...upstream, auth: { type: "api_key", key: ref } };
  }
}

/** Caches the upstream auth built from projects' own credentials. */
export class ProjectAuthCache {
  readonly #resolve: (ref: SecretRef, path: string) => Promise<string>;
  readonly #cache = new Map<string, Promise<UpstreamAuth>>();

  /** `resolve` turns a secret reference into its value (env, file). */
  constructor(resolve: (ref: SecretRef, path: string) => Promise<string>) {
    this.#resolve = resolve;
  }

  /** The auth for `upstream` with the project's key reference `ref`. */
  get(upstream: UpstreamConfig, ref: SecretRef, project: string): Promise<UpstreamAuth> {
    const id = `${upstream.name}\u0000${ref}`;
    let auth = this.#cache.get(id);
    if (auth === undefined) {
      const path = `projects.${project}.upstream_credentials.${upstream.name}`;
      auth = providerOf(upstream).createAuth(withProjectKey(upstream, ref), {
        secret: (r) => this.#resolve(r, path),
        path,
      }).catch((err) => {
        this.#cache.delete(id);
        throw new GatewayError(
          502,
          "project_credentials_unavailable",
          `The upstream credential of project "${project}" for upstream "${upstream.name}" cannot be resolved`,
          { cause: err },
        );
      });
      this.#cache.set(id, auth);
    }
    return auth;
  }
}

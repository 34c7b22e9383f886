/**
 * The management roles of the current tokens. The tokens object is live: a rotation (a Key Vault secret
 * refreshed) replaces its values in place, and the digests follow on the next request.
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** The resolved management tokens; `null` when not set. */
export interface ManagementTokens {
  admin: string | null;
  reader: string | null;
}

/** A management role. */
export type ManageRole = "admin" | "reader";

/** Digests of the current tokens, recomputed when a token changes. */
export class TokenRoles {
  readonly #tokens: ManagementTokens;
  #key: string | undefined;
  #roles: { role: ManageRole; digest: Buffer }[] = [];

  /** Follows `tokens` (read at each check). */
  constructor(tokens: ManagementTokens) {
    this.#tokens = tokens;
  }

  /** The roles that have a token now. */
  get roles(): readonly { role: ManageRole; digest: Buffer }[] {
    const key = `${this.#tokens.admin ?? ""}\u0000${this.#tokens.reader ?? ""}`;
    if (key !== this.#key) {
      this.#key = key;
      this.#roles = [
        { role: "admin" as const, token: this.#tokens.admin },
        { role: "reader" as const, token: this.#tokens.reader },
      ].filter((r) => r.token).map((r) => ({ role: r.role, digest: sha256(r.token!) }));
    }
    return this.#roles;
  }

  /** The role `token` grants, or `null`; compares against every role so timing tells nothing. */
  roleOf(token: string): ManageRole | null {
    const presented = sha256(token);
    let found: ManageRole | null = null;
    for (const r of this.roles) if (timingSafeEqual(presented, r.digest) && found === null) found = r.role;
    return found;
  }
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** Who is calling: the caller every stage after authentication sees, and the caller keys known by digest. */

/** A caller key known to the gateway, by digest. */
export interface CallerKey {
  id: string;
  /** Lower-case hex SHA-256 of the key. */
  sha256: string;
  project?: string;
}

/** Who is calling, as later stages (policy, limits, cost, logs) see it. */
export interface Caller {
  keyId: string;
  project: string | null;
  tokenId: string | null;
}

/** Live health of the gateway's upstreams, as `/health`, `/metrics` and the admin UI show it. */

/** Breaker state, for health reports. */
export type BreakerState = "closed" | "open" | "half_open";

/** Health of one upstream deployment, for `/health` and `/metrics`. */
export interface TargetHealth {
  upstream: string;
  deployment: string;
  breaker: BreakerState;
  inFlight: number;
}

/** Live state of the gateway shown by the admin UI. */
export interface AdminLive {
  inFlight: number;
  targets: TargetHealth[];
  upstreams: UpstreamStatus[];
}

/** Readiness of one upstream's credentials (an Entra token's expiry, or why there is none). */
export interface UpstreamStatus {
  name: string;
  kind: string;
  auth: string;
  ready: boolean;
  tokenExpiresAt?: string;
  error?: string;
}

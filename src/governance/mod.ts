/**
 * Callers and governance on the hot path: who is calling (config keys, store API keys, withering
 * tokens), what they may do (policy check: models, operations, body size, max tokens) and how fast
 * (RPM/TPM limits with OpenAI-style headers, settled to real usage).
 *
 * ```ts
 * import { checkPolicy, createCallerResolver, createRateLimiter, estimateTokens } from "./src/governance/mod.ts";
 * const resolver = createCallerResolver(store, { configKeys, required: true, defaults: {} });
 * const caller = await resolver.authenticate(req.headers);               // 401/403/503
 * checkPolicy(caller, { operation, model, body, bodyBytes });            // 403/413
 * const admission = createRateLimiter().admit(caller, { estimatedTokens: estimateTokens(body).total }); // 429
 * // … forward, add admission.headers to the response, then:
 * admission.settle(usage.total_tokens);
 * ```
 *
 * @module
 */
export { anonymousCaller, type GovernedCaller } from "./caller.ts";
export { checkPolicy, MAX_TOKEN_FIELDS, type PolicyRequest } from "./check.ts";
export { estimateTokens } from "./estimate.ts";
export {
  type LimitScope,
  matchGlob,
  type PolicyLayers,
  type ResolvedPolicy,
  resolvePolicy,
} from "./policy.ts";
export {
  type Admission,
  createRateLimiter,
  type RateLimiter,
  type RateLimiterOptions,
} from "./rate_limit.ts";
export {
  type BucketCharge,
  chargeOf,
  type LoggedCall,
  type PastCharge,
  RateHistory,
} from "./rate_history.ts";
export { type CallerResolver, type CallerResolverOptions, createCallerResolver } from "./resolver.ts";
export { governanceStage, type GovernedPipeline, type SharedGovernance } from "./runtime.ts";
export { TokenUses, type TokenUsesOptions } from "./token_uses.ts";

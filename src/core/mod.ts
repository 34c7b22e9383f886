/**
 * The bottom floor: the vocabulary every other folder shares — errors and their rendering in each
 * dialect, the route table, the call record, what an API response is reduced to (operation, usage), the
 * caller, admission stages, upstream health, HTTP and CLI types, the `api-version` rules and SHA-256.
 * Nothing here imports from another folder of `src/` (`scripts/check_layers.ts` keeps it so).
 *
 * ```ts
 * import { GatewayError, errorResponse } from "./src/core/mod.ts";
 * errorResponse(new GatewayError(404, "model_not_found", 'Model "x" is not served'), "anthropic");
 * ```
 *
 * @module
 */
export type { AdmissionContext, AdmissionStage, Ticket } from "./admission.ts";
export { isApiVersion, optionalApiVersion, requireApiVersion } from "./api_version.ts";
export type { Caller, CallerKey } from "./caller.ts";
export { type CliIo, type Command, intOption, UsageError, usageError } from "./command.ts";
export {
  ANTHROPIC_ERROR_TYPES,
  anthropicErrorType,
  ConfigError,
  type Dialect,
  errorResponse,
  type ErrorType,
  GatewayError,
} from "./errors.ts";
export type { AdminLive, BreakerState, TargetHealth, UpstreamStatus } from "./health.ts";
export type { FetchLike, HeaderMap } from "./http.ts";
export type { Assembled, Operation, ToolCall, Usage } from "./operation.ts";
export type {
  CallCost,
  CallError,
  CallRecord,
  CallSink,
  CallStart,
  CallStatus,
  TriedTarget,
} from "./record.ts";
export {
  allowedMethods,
  type InferenceRoute,
  matchRoute,
  type RouteMatch,
  type RouteStyle,
  type SimpleRoute,
} from "./routes.ts";
export { sha256Hex } from "./sha256.ts";

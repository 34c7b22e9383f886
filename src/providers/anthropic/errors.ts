/**
 * Error shapes between Anthropic (`{"type":"error","error":{"type","message"}}`) and OpenAI
 * (`{"error":{"message","type","param","code"}}`), with the status and type mapped so each SDK raises
 * the error class it would raise against its own API.
 */
import { ANTHROPIC_ERROR_TYPES, anthropicErrorType } from "../../core/errors.ts";
import { isObject } from "../../streams/_read.ts";
import type { JsonObject } from "../types.ts";

const OPENAI_TYPES: Record<string, string> = {
  invalid_request_error: "invalid_request_error",
  authentication_error: "authentication_error",
  permission_error: "permission_error",
  not_found_error: "not_found_error",
  request_too_large: "invalid_request_error",
  rate_limit_error: "rate_limit_error",
  billing_error: "insufficient_quota",
  api_error: "server_error",
  overloaded_error: "server_error",
  timeout_error: "timeout_error",
};

const DECODER = new TextDecoder();

function parse(bytes: Uint8Array): JsonObject | undefined {
  try {
    const v = JSON.parse(DECODER.decode(bytes));
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The OpenAI error body for an Anthropic error type and message. */
export function openaiErrorBody(anthropicType: string, message: string): JsonObject {
  return {
    error: { message, type: OPENAI_TYPES[anthropicType] ?? "server_error", param: null, code: anthropicType },
  };
}

/** The Anthropic error body for a status and message. */
export function anthropicErrorBody(status: number, message: string): JsonObject {
  const type = anthropicErrorType(status);
  return { type: "error", error: { type, message } };
}

/** An Anthropic error answer in the OpenAI shape; 529 (overloaded) becomes 503. */
export function anthropicErrorToOpenAI(status: number, bytes: Uint8Array): { status: number; body: string } {
  const e = parse(bytes)?.error;
  const type = isObject(e) && typeof e.type === "string"
    ? e.type
    : (ANTHROPIC_ERROR_TYPES[status] ?? "api_error");
  const message = isObject(e) && typeof e.message === "string"
    ? e.message
    : `Upstream answered with status ${status}`;
  return { status: status === 529 ? 503 : status, body: JSON.stringify(openaiErrorBody(type, message)) };
}

/** An OpenAI or Azure error answer in the Anthropic shape. */
export function openaiErrorToAnthropic(status: number, bytes: Uint8Array): { status: number; body: string } {
  const j = parse(bytes);
  const e = j?.error;
  const message = isObject(e) && typeof e.message === "string"
    ? e.message
    : typeof j?.message === "string"
    ? j.message
    : `Upstream answered with status ${status}`;
  return { status, body: JSON.stringify(anthropicErrorBody(status, message)) };
}

// Tolerant readers for untrusted upstream JSON: a wrong type reads as absent, never throws.

/** A plain JSON object. */
export type JsonObject = Record<string, unknown>;

/** Whether `v` is a JSON object (not null, not an array). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A finite number, or 0. */
export function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

/** A non-empty string, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The `{type, message}` of an error object in OpenAI, Responses or Anthropic shape. */
export function errorOf(v: unknown): { type: string; message: string } | undefined {
  if (!isObject(v)) return undefined;
  const type = str(v.type) ?? str(v.code) ?? "error";
  const message = typeof v.message === "string" ? v.message : "";
  return { type, message };
}

/**
 * Request body intake: size-capped reading (413 before reading when `content-length` already says too
 * much) and JSON parsing with errors in the API's own terms.
 */
import { GatewayError } from "../server/errors.ts";

const EMPTY = new Uint8Array(0) as Uint8Array<ArrayBuffer>;
/** Bodies up to this size are read in one op. */
const ONE_OP_MAX = 256 * 1024;

function tooLarge(max: number): GatewayError {
  return new GatewayError(413, "request_too_large", `Request body is larger than the limit of ${max} bytes`);
}

/** Reads the whole body, refusing more than `max` bytes. */
export async function readBody(req: Request, max: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > max) throw tooLarge(max);
  // With a small declared length, read the body in one op without touching `req.body`: creating that
  // stream leaves a 64 KiB read buffer pending in Deno 2.9 for as long as the request lives (a whole
  // stream). A large one is read chunk by chunk: `arrayBuffer()` holds about three copies of it at its
  // peak (measured: 40 concurrent 9.8 MB bodies took 1.5 GB that way, 0.36 GB chunk by chunk).
  if (declared !== null && Number(declared) <= ONE_OP_MAX) return new Uint8Array(await req.arrayBuffer());
  if (req.body === null) return EMPTY;
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      reader.cancel().catch(() => {});
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Parses a JSON object body or throws a 400 that says what is wrong. */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.byteLength === 0) {
    throw new GatewayError(400, "invalid_request_body", "The request body is empty: expected a JSON object");
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new GatewayError(400, "invalid_json", `The request body is not valid JSON: ${jsonReason(err)}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new GatewayError(400, "invalid_request_body", "The request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

/** V8's JSON error without the excerpt of the input it quotes (the body may hold secrets). */
function jsonReason(err: unknown): string {
  const msg = err instanceof SyntaxError ? err.message : "parse error";
  return msg.replace(/,?\s*"(?:[^"\\]|\\.)*"(?:\.\.\.)?\s*is not valid JSON/, "").replace(/'[^']*'/, "")
    .slice(0, 200);
}

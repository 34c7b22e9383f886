/**
 * Responses of the admin UI with its security headers: a strict Content-Security-Policy (same-origin
 * script and style only, no inline code, no framing), no caching, no sniffing, no referrer.
 */

/** The Content-Security-Policy of every admin UI response. */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": CSP,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  // Not "no-referrer": with it, browsers send `Origin: null` on form posts and the origin check fails.
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

/** A response with the UI's security headers added to `headers`. */
export function respond(
  body: BodyInit | null,
  init: { status?: number; type?: string; headers?: Record<string, string> } = {},
): Response {
  const headers = new Headers({ ...SECURITY_HEADERS, ...init.headers });
  if (init.type) headers.set("content-type", init.type);
  return new Response(body, { status: init.status ?? 200, headers });
}

/** An HTML page. */
export function htmlResponse(html: string, status = 200, headers: Record<string, string> = {}): Response {
  return respond(html, { status, type: "text/html; charset=utf-8", headers });
}

/** A JSON document. */
export function jsonResponse(value: unknown, status = 200): Response {
  return respond(JSON.stringify(value), { status, type: "application/json" });
}

/** A 303 redirect (after a form post, so a reload does not post again). */
export function redirect(location: string, headers: Record<string, string> = {}): Response {
  return respond(null, { status: 303, headers: { location, ...headers } });
}

/** Reads an urlencoded (or multipart) form body of at most `maxBytes`; `null` when too large. */
export async function readForm(req: Request, maxBytes = 65_536): Promise<URLSearchParams | null> {
  if (Number(req.headers.get("content-length") ?? "0") > maxBytes) return null;
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.length > maxBytes) return null;
  const type = req.headers.get("content-type") ?? "";
  if (type.startsWith("multipart/form-data")) {
    const form = await new Response(bytes, { headers: { "content-type": type } }).formData();
    const out = new URLSearchParams();
    for (const [k, v] of form) if (typeof v === "string") out.append(k, v);
    return out;
  }
  return new URLSearchParams(new TextDecoder().decode(bytes));
}

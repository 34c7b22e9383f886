/**
 * Standard Webhooks signatures: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. A
 * secret written `whsec_<base64>` is the base64 of the key; any other string is used as UTF-8 bytes.
 */

const enc = new TextEncoder();

/** The HMAC key bytes of a signing secret. */
export function secretBytes(secret: string): Uint8Array {
  if (secret.startsWith("whsec_")) {
    try {
      return Uint8Array.from(atob(secret.slice(6)), (c) => c.charCodeAt(0));
    } catch {
      throw new TypeError('Invalid webhook secret: "whsec_" must be followed by base64');
    }
  }
  return enc.encode(secret);
}

/** Imports a signing secret as an HMAC-SHA256 key. */
export function importSigningKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    secretBytes(secret) as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

function base64(bytes: ArrayBuffer): string {
  let s = "";
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s);
}

/** The `webhook-signature` value (`v1,<base64>`) of one message. */
export async function signWebhook(
  key: CryptoKey,
  message: { id: string; timestamp: number; body: string },
): Promise<string> {
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    enc.encode(`${message.id}.${message.timestamp}.${message.body}`),
  );
  return `v1,${base64(mac)}`;
}

/**
 * Verifies a received message: one of the space-separated `v1,` signatures must match and the
 * timestamp must be within `toleranceS` seconds of `nowS`. For receivers and tests.
 */
export async function verifyWebhook(
  secret: string,
  message: { id: string; timestamp: string; signature: string; body: string },
  options: { nowS?: number; toleranceS?: number } = {},
): Promise<boolean> {
  const ts = Number(message.timestamp);
  const now = options.nowS ?? Math.floor(Date.now() / 1000);
  if (!Number.isInteger(ts) || Math.abs(now - ts) > (options.toleranceS ?? 300)) return false;
  const expected = await signWebhook(await importSigningKey(secret), {
    id: message.id,
    timestamp: ts,
    body: message.body,
  });
  return message.signature.split(" ").some((s) => timingSafeEqual(s, expected));
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

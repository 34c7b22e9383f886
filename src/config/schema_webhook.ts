/**
 * Where the gateway posts to (budget webhook, event sinks): an https URL — plain http only for loopback unless
 * a sink allows it — or a secret reference to one, never echoed (it may embed a secret); and extra headers,
 * where anything that looks like a credential must be a secret reference.
 */
import { child, type Field, refine, str } from "./schema_helpers.ts";
import { mapping } from "./schema_routing.ts";
import { describeBadRef, isSecretRef, SECRET_REF_EXPECTED } from "./secrets.ts";

const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];
const AUTH_LIKE = /auth|key|token|secret|signature|password/i;

/** An http(s) URL (plain http only for loopback unless `anyHttp`), or a secret reference to one. */
export function webhookUrl(anyHttp: boolean): Field<string> {
  const expected = anyHttp
    ? "an http or https URL, or a secret reference to one"
    : "an https URL (http only for localhost), or a secret reference to one";
  return {
    expected,
    read(value, path, issues) {
      if (typeof value !== "string" || value === "") {
        return issues.fail(
          path,
          value === undefined ? `required, expected ${expected}` : `expected ${expected}`,
        );
      }
      if (isSecretRef(value)) return value;
      const u = URL.parse(value);
      const ok = u?.protocol === "https:" ||
        (u?.protocol === "http:" && (anyHttp || LOOPBACK.includes(u.hostname)));
      // A webhook URL may embed a secret, so a bad one is not echoed.
      return ok ? value : issues.fail(path, `expected ${expected}, got ${describeBadRef(value)}`);
    },
  };
}

/** Extra request headers; a credential-like header must be a secret reference. Names are lower-cased. */
export const WEBHOOK_HEADERS: Field<Record<string, string>> = refine(
  mapping(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "an HTTP header name", str(/^[^\r\n]*$/, "a header value")),
  (entries, path, issues) => {
    const out: Record<string, string> = {};
    for (const [name, value] of entries) {
      if (AUTH_LIKE.test(name) && !isSecretRef(value)) {
        issues.fail(child(path, name), `expected ${SECRET_REF_EXPECTED} for this header`);
      }
      out[name.toLowerCase()] = value;
    }
    return out;
  },
);

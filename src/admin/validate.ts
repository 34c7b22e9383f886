/**
 * Validation of management request bodies with the config schema's field readers, so the API, the CLI
 * and the config file accept the same values and describe bad ones the same way; the first problem
 * becomes a 400 naming its field.
 */
import { type Field, hidden, Issues, record, type RecordOf, str } from "../config/schema_helpers.ts";
import { describeBadRef, isSecretRef, SECRET_REF_EXPECTED } from "../config/secrets.ts";
import { invalid } from "./context.ts";
import { parseDuration } from "./duration.ts";

// deno-lint-ignore no-explicit-any
type Spec = Record<string, Field<any>>;

/** Reads a JSON body with `spec` (snake_case in, camelCase out) or throws a 400 naming the field. */
export function readBody<S extends Spec>(spec: S, body: unknown): RecordOf<S> {
  const issues = new Issues();
  const value = record(spec).read(body ?? {}, "", issues);
  const first = issues.list[0];
  if (first !== undefined) throw invalid(first.path || "body", first.message);
  return value;
}

/** A project name: what logs, reports and the `project` of keys and tokens use. */
export const PROJECT_NAME = str(
  /^[a-z0-9][a-z0-9_-]{0,63}$/,
  "a project name of a-z, 0-9, _ or - (up to 64)",
);

/** A project id: the UUID `project_id` of the project views. */
export const PROJECT_ID = str(
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  "a project id (a UUID)",
);

/** Whether a path segment names a project by id (a UUID) rather than by name. */
export function isProjectId(segment: string): boolean {
  return /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(segment);
}

/** A string of at most `max` characters, empty allowed. */
export function text(max: number): Field<string> {
  return {
    expected: `a string of up to ${max} characters`,
    read(value, path, issues) {
      if (typeof value === "string" && value.length <= max) return value;
      const got = typeof value === "string" ? `${value.length} characters` : describe(value);
      return issues.fail(path, `expected a string of up to ${max} characters, got ${got}`);
    },
  };
}

/** A JSON object of at most `maxBytes` once serialised. */
export function jsonObject(maxBytes: number): Field<Record<string, unknown>> {
  return {
    expected: "a JSON object",
    read(value, path, issues) {
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return issues.fail(path, `expected a JSON object, got ${describe(value)}`);
      }
      const size = new TextEncoder().encode(JSON.stringify(value)).length;
      if (size > maxBytes) {
        return issues.fail(path, `expected at most ${maxBytes} bytes of JSON, got ${size}`);
      }
      return value as Record<string, unknown>;
    },
  };
}

const secretRef = hidden({ test: isSecretRef }, SECRET_REF_EXPECTED, describeBadRef);

/** Upstream credentials: upstream names to secret references (a value is never echoed). */
export const UPSTREAM_CREDENTIALS: Field<Record<string, string>> = {
  expected: "a mapping of upstream names to secret references",
  read(value, path, issues) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return issues.fail(
        path,
        `expected a mapping of upstream names to secret references, got ${describe(value)}`,
      );
    }
    const out: Record<string, string> = {};
    for (const [name, ref] of Object.entries(value)) {
      const at = `${path}.${name}`;
      if (!/^[a-z0-9_-]+$/.test(name)) issues.fail(at, "expected an upstream name of a-z0-9_-");
      else out[name] = secretRef.read(ref, at, issues);
    }
    return out;
  },
};

/** A duration in ms, given as whole seconds or text such as `"30d"`, `"1h30m"`, within `[min, max]` ms. */
export function duration(minMs: number, maxMs: number): Field<number> {
  const expected = `a duration such as "1h" or "30d" (or whole seconds) from ${minMs / 1000}s to ${
    maxMs / 1000
  }s`;
  return {
    expected,
    read(value, path, issues) {
      const ms = typeof value === "number" && Number.isInteger(value)
        ? value * 1000
        : typeof value === "string"
        ? parseDuration(value)
        : null;
      if (ms === null || ms < minMs || ms > maxMs) {
        return issues.fail(path, `expected ${expected}, got ${describe(value)}`);
      }
      return ms;
    },
  };
}

/** A point in time as an ISO 8601 string (with a time zone), in ms since the epoch. */
export const TIME: Field<number> = {
  expected: 'an ISO 8601 time such as "2030-01-31T12:00:00Z"',
  read(value, path, issues) {
    const ms = typeof value === "string" && /(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? Date.parse(value) : NaN;
    if (Number.isNaN(ms)) {
      return issues.fail(
        path,
        `expected an ISO 8601 time such as "2030-01-31T12:00:00Z", got ${describe(value)}`,
      );
    }
    return ms;
  },
};

/** `field`, or `null` when the value is JSON `null` (to clear a setting). */
export function nullable<T>(field: Field<T>): Field<T | null> {
  return {
    expected: `${field.expected} or null`,
    read: (v, p, i) => v === null ? null : field.read(v, p, i),
  };
}

/**
 * The expiry from `expires_in` (ms) or `expires_at` (ms), checked to lie in the future; `fallback` when
 * neither is given.
 */
export function expiryOf(
  fields: { expiresIn?: number | undefined; expiresAt?: number | null | undefined },
  now: number,
  fallback: number | null,
  names = { in: "expires_in", at: "expires_at" },
): number | null {
  if (fields.expiresIn !== undefined && fields.expiresAt !== undefined) {
    throw invalid(names.at, `give either "${names.in}" or "${names.at}", not both`);
  }
  if (fields.expiresIn !== undefined) return now + fields.expiresIn;
  if (fields.expiresAt === undefined) return fallback;
  if (fields.expiresAt !== null && fields.expiresAt <= now) {
    throw invalid(names.at, `expected a time in the future, got ${new Date(fields.expiresAt).toISOString()}`);
  }
  return fields.expiresAt;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value === "object" ? "a mapping" : `a ${typeof value}`;
}

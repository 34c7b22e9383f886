/**
 * The inbound `api-version` query parameter of the Azure-style routes: required and a real date on the
 * deployment and Azure Responses routes, optional (`preview`, `latest` or a date) on the Azure v1 routes.
 */
import { GatewayError } from "./errors.ts";

const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

/** Whether `v` is `YYYY-MM-DD` or `YYYY-MM-DD-preview` with a date that exists. */
export function isApiVersion(v: string): boolean {
  if (!API_VERSION.test(v)) return false;
  const y = Number(v.slice(0, 4));
  const m = Number(v.slice(5, 7));
  const d = Number(v.slice(8, 10));
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function badVersion(v: string, expected: string): GatewayError {
  return new GatewayError(
    400,
    "invalid_api_version",
    `Unsupported api-version ${JSON.stringify(v.slice(0, 40))}: expected ${expected}`,
    { param: "api-version" },
  );
}

function single(search: URLSearchParams): string | null {
  const all = search.getAll("api-version");
  if (all.length > 1) {
    throw new GatewayError(
      400,
      "duplicate_api_version",
      'Query parameter "api-version" is given more than once',
      {
        param: "api-version",
      },
    );
  }
  return all[0] ?? null;
}

/** Validates the caller's `api-version` for the routes that require one; returns it. */
export function requireApiVersion(search: URLSearchParams): string {
  const v = single(search);
  if (v === null || v === "") {
    throw new GatewayError(400, "missing_api_version", 'Missing required query parameter "api-version"', {
      param: "api-version",
    });
  }
  if (!isApiVersion(v)) throw badVersion(v, "a real date as YYYY-MM-DD or YYYY-MM-DD-preview");
  return v;
}

/** Validates an optional `api-version` (Azure v1 routes: `preview`, `latest` or a date); returns it or null. */
export function optionalApiVersion(search: URLSearchParams): string | null {
  const v = single(search);
  if (v === null || v === "preview" || v === "latest" || isApiVersion(v)) return v;
  throw badVersion(v, '"preview", "latest" or a real date as YYYY-MM-DD or YYYY-MM-DD-preview');
}

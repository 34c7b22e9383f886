/**
 * The mock's request handler: route table, control headers, authentication, version checks,
 * injected faults, then the provider module that builds the answer.
 */
import { AZURE_MODELS_BODY, lacksApiVersion } from "./azure.ts";
import { messagesReply } from "./anthropic.ts";
import { embeddingsReply } from "./embeddings.ts";
import { type MockControl, readControl, shouldFail, sleep, untilAbort } from "./faults.ts";
import { chatReply, completionReply, OPENAI_MODELS_BODY } from "./openai.ts";
import { responsesReply } from "./responses.ts";
import { guessFlavor, matchRoute, type Route } from "./routes.ts";
import { eventStream } from "./sse.ts";
import { MOCK_DEFAULT_CHUNKS } from "./tokens.ts";
import type {
  Flavor,
  MockOptions,
  MockRequestRecord,
  MockUpstream,
  Operation,
  ReplyContext,
} from "./types.ts";
import {
  BAD_JSON_MESSAGE,
  errorResponse,
  flavorHeaders,
  type HeaderBag,
  SSE_CONTENT_TYPE,
  streamHeaders,
} from "./wire.ts";

const MAX_RECORDS = 1000;

function authorized(flavor: Flavor, headers: Record<string, string>, key: string): boolean {
  if (headers.authorization === `Bearer ${key}`) return true;
  if (flavor === "azure") return headers["api-key"] === key;
  if (flavor === "anthropic") return headers["x-api-key"] === key;
  return false;
}

/** A mock upstream plus `close()`, which ends requests still waiting (used by `serveMock`). */
export interface MockCore extends MockUpstream {
  /** Aborts pending latency waits, hung `timeout` requests and paced streams. */
  close(): void;
}

function checkOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`Option "${name}" expects a whole number of at least 0, got "${value}"`);
  }
  return value;
}

/** Builds the mock's handler and its state. */
export function createMockCore(options: MockOptions = {}): MockCore {
  const defaults = {
    latencyMs: checkOption("latencyMs", options.latencyMs, 0),
    chunkDelayMs: checkOption("chunkDelayMs", options.chunkDelayMs, 0),
    chunks: checkOption("chunks", options.chunks, MOCK_DEFAULT_CHUNKS),
  };
  const apiKey = options.apiKey;
  const requests: MockRequestRecord[] = [];
  const counters = new Map<string, number>();
  const life = new AbortController();

  async function handler(req: Request): Promise<Response> {
    const started = performance.now();
    const url = req.url;
    const pathStart = url.indexOf("/", url.indexOf("//") + 2);
    const q = url.indexOf("?", pathStart);
    const path = q < 0 ? url.slice(pathStart) : url.slice(pathStart, q);
    const search = q < 0 ? "" : url.slice(q);
    const headers: Record<string, string> = {};
    for (const [k, v] of req.headers) headers[k] = v;
    const text = req.body === null ? "" : await req.text();
    if (requests.length >= MAX_RECORDS) requests.shift();
    requests.push({ method: req.method, path, search, headers, body: text });

    const route = matchRoute(req.method, path);
    const flavor = route?.flavor ?? guessFlavor(path, headers);
    let control: MockControl;
    try {
      control = readControl(headers, defaults);
    } catch (e) {
      return errorResponse(flavor, 400, { headers: flavorHeaders(flavor, 0), message: (e as Error).message });
    }
    const paced = control.latencyMs > 0 || control.chunkDelayMs > 0 || control.fault === "timeout";
    // Reading req.signal makes Deno.serve warn once about its legacy abort-on-success; only waits need it.
    const signal = paced ? AbortSignal.any([req.signal, life.signal]) : life.signal;
    if (control.latencyMs > 0 && !await sleep(control.latencyMs, signal)) throw signal.reason;
    const out = flavorHeaders(flavor, Math.round(performance.now() - started));

    if (route === undefined) {
      const message = flavor === "openai" ? { message: `Invalid URL (${req.method} ${path})` } : {};
      return errorResponse(flavor, 404, { headers: out, ...message });
    }
    const refused = refuse(route, { flavor, headers, search, out, apiKey });
    if (refused !== undefined) return refused;

    let resetAfter: number | undefined;
    if (shouldFail(control, counters)) {
      if (control.fault === "timeout") {
        await untilAbort(signal);
        throw signal.reason;
      }
      if (control.fault === "reset") {
        if (/"stream"\s*:\s*true/.test(text)) out["content-type"] = SSE_CONTENT_TYPE;
        return new Response(eventStream([], { chunkDelayMs: 0, resetAfter: 0, signal }), { headers: out });
      }
      if (control.fault === "reset-mid-stream") resetAfter = control.resetAfterChunks;
      else return injectedStatus(flavor, control, out);
    }

    const parsed = parseRequest(route, flavor, { text, out });
    if (parsed instanceof Response) return parsed;
    const { body, model } = parsed;
    if (body.stream === true && route.op !== "embeddings") streamHeaders(out);
    const ctx: ReplyContext = {
      flavor,
      body,
      model,
      chunks: control.chunks,
      chunkDelayMs: control.chunkDelayMs,
      resetAfter,
      signal,
      headers: out,
    };
    return reply(route.op, ctx);
  }

  return {
    handler,
    requests,
    reset() {
      requests.length = 0;
      counters.clear();
    },
    close() {
      life.abort(new DOMException("The mock upstream is shutting down", "AbortError"));
    },
  };
}

interface Gate {
  flavor: Flavor;
  headers: Record<string, string>;
  search: string;
  out: HeaderBag;
  apiKey: string | undefined;
}

/** The error answer for a bad key or a missing version, if any. */
function refuse(route: Route, g: Gate): Response | undefined {
  const { flavor, headers, out } = g;
  if (g.apiKey !== undefined && !authorized(flavor, headers, g.apiKey)) {
    const missing = headers.authorization === undefined && headers["api-key"] === undefined &&
      headers["x-api-key"] === undefined;
    return errorResponse(flavor, 401, { headers: out, ...(missing ? missingKey(flavor) : {}) });
  }
  // Azure answers a classic route without api-version as an unknown resource.
  if (route.versioned && lacksApiVersion(g.search)) return errorResponse("azure", 404, { headers: out });
  if (flavor === "anthropic") {
    const version = headers["anthropic-version"];
    if (version === undefined || version === "") {
      return errorResponse(flavor, 400, { headers: out, message: "anthropic-version: header is required" });
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(version) || version < "2023-01-01") {
      return errorResponse(flavor, 400, {
        headers: out,
        message: `anthropic-version: invalid value "${version}"`,
      });
    }
  }
  return undefined;
}

/** Parses the JSON body and picks the model to echo, or answers 400 like the provider. */
function parseRequest(
  route: Route,
  flavor: Flavor,
  input: { text: string; out: HeaderBag },
): { body: Record<string, unknown>; model: string } | Response {
  if (route.op === "models") return { body: {}, model: "" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(input.text);
  } catch {
    return badJson(flavor, input.out);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return badJson(flavor, input.out);
  }
  const body = parsed as Record<string, unknown>;
  if (route.deployment !== undefined) return { body, model: route.deployment };
  if (typeof body.model !== "string" || body.model === "") {
    return errorResponse(flavor, 400, {
      headers: input.out,
      message: flavor === "anthropic" ? "model: Field required" : "you must provide a model parameter",
    });
  }
  return { body, model: body.model };
}

function reply(op: Operation, ctx: ReplyContext): Response {
  switch (op) {
    case "chat":
      return chatReply(ctx);
    case "completions":
      return completionReply(ctx);
    case "embeddings":
      return embeddingsReply(ctx);
    case "responses":
      return responsesReply(ctx);
    case "messages":
      return messagesReply(ctx);
    case "models":
      return new Response(ctx.flavor === "azure" ? AZURE_MODELS_BODY : OPENAI_MODELS_BODY, {
        headers: ctx.headers,
      });
  }
}

function missingKey(flavor: Flavor): { message?: string } {
  if (flavor === "anthropic") return { message: "x-api-key header is required" };
  if (flavor === "openai") {
    return {
      message: "You didn't provide an API key. You need to provide your API key in an Authorization header " +
        "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    };
  }
  return {};
}

function badJson(flavor: Flavor, out: HeaderBag): Response {
  return errorResponse(flavor, 400, {
    headers: out,
    message: flavor === "anthropic"
      ? "There was an error parsing the body of your request"
      : BAD_JSON_MESSAGE,
  });
}

function injectedStatus(flavor: Flavor, control: MockControl, out: HeaderBag): Response {
  if (control.retryAfter !== undefined) {
    out["retry-after"] = control.retryAfter;
    if (flavor !== "anthropic") out["retry-after-ms"] = String(Number(control.retryAfter) * 1000);
  }
  return errorResponse(flavor, control.status ?? 500, { headers: out });
}

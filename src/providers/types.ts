/**
 * The one shape every provider has. A provider receives plain typed data — the inbound route, the
 * upstream and deployment, the parsed body — never the HTTP context, and answers with a plan: the
 * upstream URL, the body to send, and a translator when the upstream speaks another wire format than
 * the client. Adding a provider means adding one folder and one line in `registry.ts`.
 */
import type { AzureAuthConfig, DeploymentConfig, SecretRef, UpstreamConfig } from "../config/types.ts";
import type { HeaderMap } from "../core/http.ts";
import type { InferenceRoute } from "../core/routes.ts";
import type { SseEvent } from "../streams/sse.ts";
import type { Operation } from "../core/operation.ts";
import type { UpstreamAuth } from "./auth.ts";
import type { TokenCredentialLike } from "./azure/token_cache.ts";

/** A plain JSON object. */
export type JsonObject = Record<string, unknown>;

/** Everything a provider needs to plan one upstream request. */
export interface PlanInput<U extends UpstreamConfig = UpstreamConfig> {
  route: InferenceRoute;
  upstream: U;
  deployment: DeploymentConfig;
  /** The parsed request body; the provider may change it (it is not reused across attempts). */
  body: JsonObject;
  /**
   * The request body as the client sent it, sent as is on pure pass-through; when admission changed the
   * body, the body with those changes (a large one as a `Blob`: the client's bytes and the added fields).
   */
  bytes: Uint8Array<ArrayBuffer> | Blob;
  /** The caller's query string with its `?`, or `""`. */
  search: string;
  /** The caller's validated `api-version`, on the routes that carry one. */
  apiVersion: string | null;
  /** Outgoing headers (caller credentials already removed); the provider may add or remove some. */
  headers: HeaderMap;
  /** Wall clock in ms (`created` of translated answers). */
  now: number;
}

/** What the gateway sends upstream and how it reads the answer. */
export interface UpstreamPlan {
  url: string;
  /** The client's bytes (`PlanInput.bytes`) on pass-through, else the re-serialised body. */
  body: Uint8Array<ArrayBuffer> | Blob | string;
  /** The gateway asked for stream usage the client did not ask for (the relay strips it). */
  injectedUsage: boolean;
  /** Operation of the upstream's wire format (usage and assembly read answers with it). */
  upstreamOperation: Operation;
  /** Translates the answer into the client's wire format; `null` passes it through unchanged. */
  translator: Translator | null;
}

/** Turns upstream answers into the client's wire format. */
export interface Translator {
  /** A successful JSON body. */
  response(body: JsonObject): JsonObject;
  /** An upstream error: status and JSON body in the client's error shape. */
  error(status: number, bytes: Uint8Array): { status: number; body: string };
  /** A fresh translator for one event stream. */
  stream(): StreamTranslator;
}

/** Translates one event stream; both methods return SSE text for the client (`""` for nothing). */
export interface StreamTranslator {
  /** One upstream event. */
  push(ev: SseEvent): string;
  /** The upstream stream ended. */
  end(): string;
}

/** I/O for building an upstream's credentials at start. */
export interface AuthDeps {
  /** Resolves a secret reference found at the YAML key path `path`. */
  secret(ref: SecretRef, path: string): Promise<string>;
  /** YAML key path of the upstream's `auth`, e.g. `upstreams[0].auth`. */
  path: string;
  /** Builds an Entra credential (Azure only; defaults to `@azure/identity`). */
  credentialFactory?: (
    auth: Extract<AzureAuthConfig, { type: "entra" }>,
    clientSecret: string | undefined,
  ) => Promise<TokenCredentialLike>;
  now?: () => number;
}

/** One upstream kind: which operations it serves, how calls are planned, how it authenticates. */
export interface Provider<U extends UpstreamConfig = UpstreamConfig> {
  /** Inbound operations it serves, natively or translated. */
  readonly operations: ReadonlySet<Operation>;
  /** Plans the upstream request of one attempt; throws a 4xx `GatewayError` for a body it cannot send. */
  plan(input: PlanInput<U>): UpstreamPlan;
  /** Builds the upstream's credentials (secrets are resolved here, once). */
  createAuth(upstream: U, deps: AuthDeps): Promise<UpstreamAuth>;
}

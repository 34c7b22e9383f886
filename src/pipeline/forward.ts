/**
 * The upstream call: `fetch` with the first-byte, idle and total timeouts of the upstream, tied to the
 * client's connection so a client that leaves aborts the upstream request. Failures before the response
 * become 502/504 `GatewayError`s whose messages never carry headers or secrets.
 */
import type { TimeoutConfig } from "../config/types.ts";
import { GatewayError } from "../server/errors.ts";

/** Why an upstream call was aborted by the gateway (`shutdown`: the shutdown grace ended first). */
export type AbortCause =
  | "client_closed"
  | "first_byte_timeout"
  | "idle_timeout"
  | "total_timeout"
  | "shutdown";

/** The `fetch` signature the gateway uses (injectable). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** One upstream HTTP exchange with its timers; `finish()` must be called when the body is done. */
export class UpstreamCall {
  readonly #controller = new AbortController();
  readonly #timeouts: TimeoutConfig;
  readonly #upstream: string;
  readonly #clientSignal: AbortSignal | undefined;
  readonly #shutdown: AbortSignal | undefined;
  readonly #onClientAbort = () => this.abort("client_closed");
  readonly #onShutdown = () => this.abort("shutdown");
  #firstByteTimer: ReturnType<typeof setTimeout> | undefined;
  #totalTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #lastChunkAt = 0;
  #cause: AbortCause | null = null;

  /**
   * Prepares a call to the named upstream; nothing is sent until `send()`. `clientSignal` aborts it when the
   * client leaves, `options.shutdown` when the gateway's shutdown grace ends.
   */
  constructor(
    upstream: string,
    timeouts: TimeoutConfig,
    clientSignal?: AbortSignal,
    options: { shutdown?: AbortSignal | undefined } = {},
  ) {
    this.#upstream = upstream;
    this.#timeouts = timeouts;
    this.#clientSignal = clientSignal;
    this.#shutdown = options.shutdown;
  }

  /** Aborted when the gateway aborts the call (timeouts, client gone). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Why the gateway aborted this call, or null. */
  get cause(): AbortCause | null {
    return this.#cause;
  }

  /** Aborts the upstream request (idempotent). */
  abort(cause: AbortCause): void {
    if (this.#cause !== null) return;
    this.#cause = cause;
    this.#controller.abort(
      new DOMException(cause, cause === "client_closed" ? "AbortError" : "TimeoutError"),
    );
  }

  /** Sends the request and resolves with the response headers, or throws a `GatewayError`. */
  async send(fetchFn: FetchLike, url: string, init: RequestInit): Promise<Response> {
    const t = this.#timeouts;
    if (this.#clientSignal?.aborted) this.abort("client_closed");
    if (this.#shutdown?.aborted) this.abort("shutdown");
    this.#clientSignal?.addEventListener("abort", this.#onClientAbort, { once: true });
    this.#shutdown?.addEventListener("abort", this.#onShutdown, { once: true });
    if (t.firstByteMs > 0) {
      this.#firstByteTimer = setTimeout(() => this.abort("first_byte_timeout"), t.firstByteMs);
    }
    if (t.totalMs > 0) this.#totalTimer = setTimeout(() => this.abort("total_timeout"), t.totalMs);
    try {
      const res = await fetchFn(url, { ...init, signal: this.#controller.signal });
      clearTimeout(this.#firstByteTimer);
      return res;
    } catch (err) {
      this.finish();
      throw this.toError(err);
    }
  }

  /** Starts the idle-timeout watch over the response body; call `touch()` per chunk. */
  watchIdle(now: () => number): void {
    const idle = this.#timeouts.idleMs;
    if (idle <= 0) return;
    this.#lastChunkAt = now();
    const check = () => {
      const quiet = now() - this.#lastChunkAt;
      if (quiet >= idle) this.abort("idle_timeout");
      else this.#idleTimer = setTimeout(check, idle - quiet);
    };
    this.#idleTimer = setTimeout(check, idle);
  }

  /** Notes that a body chunk arrived (cheap: no timer is re-armed here). */
  touch(at: number): void {
    this.#lastChunkAt = at;
  }

  /** Clears every timer and listener. */
  finish(): void {
    clearTimeout(this.#firstByteTimer);
    clearTimeout(this.#totalTimer);
    clearTimeout(this.#idleTimer);
    this.#clientSignal?.removeEventListener("abort", this.#onClientAbort);
    this.#shutdown?.removeEventListener("abort", this.#onShutdown);
  }

  /** Converts a fetch or body-read failure into the error the client should see. */
  toError(err: unknown): GatewayError {
    if (err instanceof GatewayError) return err;
    const name = `"${this.#upstream}"`;
    switch (this.#cause) {
      case "first_byte_timeout":
        return new GatewayError(
          504,
          "upstream_timeout",
          `Upstream ${name} sent no response within ${this.#timeouts.firstByteMs} ms`,
          { cause: err },
        );
      case "idle_timeout":
        return new GatewayError(
          504,
          "upstream_timeout",
          `Upstream ${name} sent nothing for ${this.#timeouts.idleMs} ms`,
          { cause: err },
        );
      case "total_timeout":
        return new GatewayError(
          504,
          "upstream_timeout",
          `Upstream ${name} did not finish within ${this.#timeouts.totalMs} ms`,
          { cause: err },
        );
      case "client_closed":
        return new GatewayError(499, "client_closed", "The client closed the connection", { cause: err });
      case "shutdown":
        return shutdownError(err);
      default:
        return new GatewayError(
          502,
          "upstream_unreachable",
          `Upstream ${name} failed: ${networkReason(err)}`,
          { cause: err },
        );
    }
  }
}

/** A short, secret-free reason for a network failure (no URLs, no headers). */
export function networkReason(err: unknown): string {
  const text = err instanceof Error
    ? `${err.message} ${String((err as { cause?: unknown }).cause ?? "")}`
    : String(err);
  const t = text.toLowerCase();
  if (t.includes("refused")) return "connection refused";
  if (t.includes("reset") || t.includes("broken pipe")) return "connection reset";
  if (t.includes("error reading a body")) return "connection lost while reading the response";
  if (
    t.includes("closed") || t.includes("incomplete") || t.includes("unexpected eof") ||
    t.includes("end of file")
  ) {
    return "connection closed before the response was complete";
  }
  if (t.includes("dns") || t.includes("lookup") || t.includes("name or service")) {
    return "host name could not be resolved";
  }
  if (t.includes("certificate") || t.includes("tls")) return "TLS handshake failed";
  return "network error";
}

/** The error of a call the gateway ended because its shutdown grace ran out (503, code `shutdown`). */
export function shutdownError(cause?: unknown): GatewayError {
  return new GatewayError(
    503,
    "shutdown",
    "The gateway is shutting down: the call was still open when server.shutdown_grace_ms ended",
    { type: "server_error", cause },
  );
}

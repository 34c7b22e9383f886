/**
 * A gateway-wide budget of request-body bytes held at once (`server.max_buffered_body_bytes`). A call
 * whose body is over 256 KiB takes room for it before reading it and gives the room back when it ends
 * (its record is written), with the body's buffer itself: detached then, its memory is free at once
 * rather than when the garbage collector gets to it. The gateway holds about two copies of each body it
 * reads (the bytes and the parsed JSON), so the budget bounds its memory however many large bodies
 * arrive at once; the parsed JSON of ended calls waits for the garbage collector. A body of a
 * declared length waits for room, first come first served, at most `server.body_idle_timeout_ms` (its
 * connection is not read meanwhile), then gets 503 `server_busy` with `Retry-After`; a chunked body takes
 * room as it grows and gets that 503 at once when there is none. A call that holds room never waits for
 * more, so calls never wait on each other in a circle.
 */
import { GatewayError } from "../core/errors.ts";
import { shutdownError } from "./forward.ts";

interface Waiter {
  req: Request;
  bytes: number;
  since: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** The 503 of a call that found no room. */
export function busyError(): GatewayError {
  return new GatewayError(
    503,
    "server_busy",
    "The gateway holds as many request body bytes as it may (server.max_buffered_body_bytes); retry shortly",
    // The body is not read to its end, so the connection cannot carry another request.
    { type: "server_error", headers: { "retry-after": "1", connection: "close" } },
  );
}

/** Room for request bodies; `release(req)` must follow every `take` or successful `tryTake` of `req`. */
export class BodyBudget {
  /** Most body bytes held at once. */
  readonly maxBytes: number;
  /** Longest wait for room. */
  readonly waitMs: number;
  #used = 0;
  #held = new Map<Request, number>();
  #waiters: Waiter[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #clock: () => number;
  #shutdown: AbortSignal | undefined;

  /** A budget of `maxBytes`; waits end after `waitMs` (`clock` is monotonic ms) or when `shutdown` aborts. */
  constructor(
    maxBytes: number,
    options: { waitMs: number; clock?: () => number; shutdown?: AbortSignal },
  ) {
    this.maxBytes = maxBytes;
    this.waitMs = options.waitMs;
    this.#clock = options.clock ?? (() => performance.now());
    this.#shutdown = options.shutdown;
  }

  /** Bytes held now. */
  get used(): number {
    return this.#used;
  }

  /** Calls waiting for room now. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Takes room for `bytes` of `req`'s body, waiting behind earlier waiters while there is none: 503
   * `server_busy` past `waitMs`, 499 `client_closed` when the client leaves, 503 `shutdown` when the
   * gateway's shutdown grace ends meanwhile.
   */
  take(req: Request, bytes: number): Promise<void> {
    if (this.#waiters.length === 0 && this.#used + bytes <= this.maxBytes) {
      this.#hold(req, bytes);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const stop = this.#shutdown;
      const leave = (err: GatewayError) => {
        const i = this.#waiters.indexOf(waiter);
        if (i < 0) return;
        this.#waiters.splice(i, 1);
        waiter.reject(err);
        this.#wake();
      };
      const onClient = () =>
        leave(new GatewayError(499, "client_closed", "The client closed the connection"));
      const onShutdown = () => leave(shutdownError());
      const done = () => {
        req.signal.removeEventListener("abort", onClient);
        stop?.removeEventListener("abort", onShutdown);
      };
      const waiter: Waiter = {
        req,
        bytes,
        since: this.#clock(),
        resolve: () => (done(), resolve()),
        reject: (err) => (done(), reject(err)),
      };
      this.#waiters.push(waiter);
      req.signal.addEventListener("abort", onClient, { once: true });
      stop?.addEventListener("abort", onShutdown, { once: true });
      this.#timer ??= setInterval(() => this.sweep(), Math.max(10, Math.min(1000, this.waitMs / 4)));
      if (req.signal.aborted) onClient();
      else if (stop?.aborted) onShutdown();
    });
  }

  /** Takes room for `bytes` more of `req`'s body if there is room now and nobody waits; false otherwise. */
  tryTake(req: Request, bytes: number): boolean {
    if (this.#waiters.length > 0 || this.#used + bytes > this.maxBytes) return false;
    this.#hold(req, bytes);
    return true;
  }

  /**
   * Gives back all the room `req` holds (nothing when it holds none) and lets waiters that now fit in.
   * With `body` (the call's body, once the call has ended), a body that held room gives its memory back
   * at once too: its buffer is detached (every view of it reads as empty from then on) instead of waiting
   * for the garbage collector, which may leave it for seconds.
   */
  release(req: Request, body?: Uint8Array | null): void {
    const bytes = this.#held.get(req);
    if (bytes === undefined) return;
    if (body?.buffer instanceof ArrayBuffer && !body.buffer.detached) body.buffer.transfer(0);
    this.#held.delete(req);
    this.#used -= bytes;
    this.#wake();
  }

  /** Fails every wait past `waitMs` with 503; stops the timer when nobody waits. */
  sweep(): void {
    const now = this.#clock();
    const late = this.#waiters.filter((w) => now - w.since > this.waitMs);
    if (late.length > 0) {
      this.#waiters = this.#waiters.filter((w) => !late.includes(w));
      for (const w of late) w.reject(busyError());
      this.#wake();
    }
    this.#stopTimer();
  }

  #hold(req: Request, bytes: number): void {
    this.#held.set(req, (this.#held.get(req) ?? 0) + bytes);
    this.#used += bytes;
  }

  /** Lets waiters in, first come first served, while the first one fits. */
  #wake(): void {
    while (this.#waiters.length > 0 && this.#used + this.#waiters[0]!.bytes <= this.maxBytes) {
      const w = this.#waiters.shift()!;
      this.#hold(w.req, w.bytes);
      w.resolve();
    }
    this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#waiters.length === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}

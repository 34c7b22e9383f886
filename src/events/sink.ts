/** What every event sink is: a named destination that delivers a batch or throws `DeliveryError`. */
import type { CloudEvent } from "./event.ts";

/** A destination of events. */
export interface Sink {
  /** The sink's name (config `name`, default its type). */
  readonly name: string;
  /** Delivers a whole batch; throws `DeliveryError` (or anything, taken as retryable) when it cannot. */
  deliver(batch: readonly CloudEvent[], signal: AbortSignal): Promise<void>;
  /** Releases connections and files. */
  close?(): Promise<void>;
}

/** A failed delivery; `retryable: false` sends the batch straight to the dead-letter file. */
export class DeliveryError extends Error {
  /** Whether another attempt may succeed. */
  readonly retryable: boolean;
  /** Creates the error. */
  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = "DeliveryError";
    this.retryable = options.retryable;
  }
}

/** An HTTP answer as a delivery outcome: 2xx is delivered; 408, 429 and 5xx may be retried. */
export async function checkHttpAnswer(res: Response, what: string): Promise<void> {
  await res.body?.cancel();
  if (res.ok) return;
  const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
  throw new DeliveryError(`${what} answered status ${res.status}`, { retryable });
}

/** Runs `fetch` with a timeout that also follows `signal`; network failures become retryable errors. */
export async function postWithTimeout(
  fetchFn: (url: string, init: RequestInit) => Promise<Response>,
  url: string,
  init: RequestInit & { timeoutMs: number; signal: AbortSignal; what: string },
): Promise<void> {
  const { timeoutMs, signal, what, ...rest } = init;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new DOMException("Timed out", "TimeoutError")), timeoutMs);
  const onAbort = () => ac.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const res = await fetchFn(url, { ...rest, method: "POST", signal: ac.signal });
    await checkHttpAnswer(res, what);
  } catch (err) {
    if (err instanceof DeliveryError) throw err;
    const name = err instanceof Error ? err.name : "network error";
    throw new DeliveryError(`Cannot reach ${what}: ${name}`, { retryable: true, cause: err });
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
  }
}

/**
 * Per-request control of the mock through `x-mock-*` headers: pacing, injected statuses and faults,
 * and the scenario counters behind `x-mock-fail-first`.
 */

/** Injectable connection faults. */
export type MockFault = "timeout" | "reset" | "reset-mid-stream";

const FAULTS = new Set<string>(["timeout", "reset", "reset-mid-stream"]);

/** What the headers of one request ask for. */
export interface MockControl {
  /** Delay before response headers. */
  latencyMs: number;
  /** Content chunks of the answer. */
  chunks: number;
  /** Delay between stream events. */
  chunkDelayMs: number;
  /** Injected fault, if any (`x-mock-fault`). */
  fault: MockFault | undefined;
  /** Injected error status, if any (`x-mock-status`). */
  status: number | undefined;
  /** `retry-after` seconds to send with an injected status. */
  retryAfter: string | undefined;
  /** Events sent before `reset-mid-stream` drops the connection. */
  resetAfterChunks: number;
  /** Only the first N requests of the scenario fail (`x-mock-fail-first`). */
  failFirst: number | undefined;
  /** Scenario id the counter is kept under (`x-mock-scenario`, default `"default"`). */
  scenario: string;
}

/** Defaults taken from the mock's options. */
export interface ControlDefaults {
  latencyMs: number;
  chunks: number;
  chunkDelayMs: number;
}

function int(headers: Record<string, string>, name: string, fallback: number, max: number): number {
  const raw = headers[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n > max) {
    throw new RangeError(`Header "${name}" expects a whole number from 0 to ${max}, got "${raw}"`);
  }
  return n;
}

/** Reads the `x-mock-*` headers; throws `RangeError` on a malformed one. */
export function readControl(headers: Record<string, string>, defaults: ControlDefaults): MockControl {
  const fault = headers["x-mock-fault"];
  if (fault !== undefined && !FAULTS.has(fault)) {
    throw new RangeError(
      `Header "x-mock-fault" expects "timeout", "reset" or "reset-mid-stream", got "${fault}"`,
    );
  }
  const status = headers["x-mock-status"] === undefined ? undefined : int(headers, "x-mock-status", 0, 599);
  if (status !== undefined && status < 400) {
    throw new RangeError(`Header "x-mock-status" expects an error status from 400 to 599, got "${status}"`);
  }
  const failFirst = headers["x-mock-fail-first"] === undefined
    ? undefined
    : int(headers, "x-mock-fail-first", 0, 1_000_000);
  return {
    latencyMs: int(headers, "x-mock-latency-ms", defaults.latencyMs, 600_000),
    chunks: int(headers, "x-mock-chunks", defaults.chunks, 10_000),
    chunkDelayMs: int(headers, "x-mock-chunk-delay-ms", defaults.chunkDelayMs, 600_000),
    fault: fault as MockFault | undefined,
    status,
    retryAfter: headers["x-mock-retry-after"] === undefined
      ? undefined
      : String(int(headers, "x-mock-retry-after", 0, 86_400)),
    resetAfterChunks: int(headers, "x-mock-reset-after-chunks", 2, 1_000_000),
    failFirst,
    scenario: headers["x-mock-scenario"] ?? "default",
  };
}

/** True when this request must fail: always with a fault/status, or among the scenario's first N. */
export function shouldFail(control: MockControl, counters: Map<string, number>): boolean {
  if (control.failFirst === undefined) return control.fault !== undefined || control.status !== undefined;
  const seen = counters.get(control.scenario) ?? 0;
  counters.set(control.scenario, seen + 1);
  return seen < control.failFirst;
}

/** Waits `ms`; resolves `false` early (timer cleared) when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Resolves when `signal` aborts; holds no timer. */
export function untilAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/**
 * The log thread's work hosted in the gateway's own thread (`logs.thread: false`): the same messages as a
 * Worker gets, handled in order by `logHost`, without a second isolate (its memory: 19–26 MiB), without
 * the structured clone of each post and without waking a second thread for each. Posts are handled by a
 * timer of 0 ms, so a record is sealed after the turn of the event loop that queued it (the response it
 * belongs to is handed to the server first), never inside a request's own handler; sealing a batch yields
 * to the event loop every `SLICE_MS`, so large bodies delay serving by about that much at a time (one
 * body still takes as long as it takes: redaction stops at its 250 ms budget).
 */
import { logHost } from "./log_host.ts";
import type { LogWorker } from "./log_thread.ts";
import type { FromLogThread, ToLogThread } from "./log_thread_protocol.ts";

/** How long sealing a batch runs before it lets the event loop serve again (ms). */
export const SLICE_MS = 4;

/** A `LogWorker` that runs the log's work on this thread; `sliceMs` as `SLICE_MS` (tests pass 0). */
export function inlineLogWorker(options: { sliceMs?: number } = {}): LogWorker {
  let waiting: ToLogThread[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ended = false;
  const worker: LogWorker = {
    onmessage: null,
    onerror: null,
    onmessageerror: null,
    postMessage(msg: ToLogThread) {
      if (ended) return;
      waiting.push(msg);
      timer ??= setTimeout(drain, 0);
    },
    terminate() {
      ended = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      waiting = [];
    },
  };
  // Answers reach the gateway's side as a Worker's would: later, never inside the call that caused them.
  const handle = logHost((msg: FromLogThread) => {
    if (!ended) queueMicrotask(() => worker.onmessage?.({ data: msg } as MessageEvent<FromLogThread>));
  }, { sliceMs: options.sliceMs ?? SLICE_MS });
  function drain(): void {
    timer = undefined;
    const msgs = waiting;
    waiting = [];
    for (const msg of msgs) handle(msg);
  }
  return worker;
}

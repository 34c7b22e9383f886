/**
 * The log thread: a worker hosting the request-log writer (`log_host.ts`), so none of its work runs on the
 * thread that serves requests. Started by `LogThread` (`log_thread.ts`) when `logs.thread` is on; messages
 * are defined in `log_thread_protocol.ts`.
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import { logHost } from "./log_host.ts";
import type { FromLogThread, ToLogThread } from "./log_thread_protocol.ts";

const handle = logHost((msg: FromLogThread) => self.postMessage(msg));
self.onmessage = (e: MessageEvent<ToLogThread>) => handle(e.data);

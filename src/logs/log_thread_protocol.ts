/** Messages between the gateway's main thread and its log thread (`log_worker.ts`). */
import type { Config } from "../config/types.ts";
import type { KeysData } from "./writer_parts.ts";
import type { LogItem } from "./queued.ts";
import type { WriterStats } from "./writer.ts";

/** Main thread → log thread. */
export type ToLogThread =
  | { t: "init"; config: Config; keys: KeysData; secrets: string[]; retainedFor: string }
  | { t: "records"; records: LogItem[] }
  | { t: "rekey"; keys: KeysData; secrets: string[] }
  | { t: "report" }
  | { t: "close" };

/** Log thread → main thread. */
export type FromLogThread =
  | { t: "ready" }
  | { t: "stats"; stats: WriterStats }
  /** The answer to a `report` message, once every message before it was handled. */
  | { t: "report"; stats: WriterStats }
  | { t: "warn"; message: string }
  | { t: "closed"; stats: WriterStats }
  | { t: "failed"; message: string };

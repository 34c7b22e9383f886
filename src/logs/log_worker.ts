/**
 * The log thread: a worker that owns the request-log writer (redaction, gzip, AES-256-GCM, file appends,
 * rotation, fsync, retention), so none of that runs on the thread that serves requests. Started by
 * `LogThread` (`log_thread.ts`); messages are defined in `log_thread_protocol.ts`.
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import { assembleWriter, keysFromData, retentionRun } from "./writer_parts.ts";
import type { FromLogThread, ToLogThread } from "./log_thread_protocol.ts";
import type { LogWriter } from "./writer.ts";

const post = (msg: FromLogThread) => self.postMessage(msg);
let writer: (LogWriter & { rekey: ReturnType<typeof assembleWriter>["rekey"] }) | null = null;
/**
 * Counters go back at most this often, the last ones by a trailing timer: one message per flush woke the
 * gateway thread once per call at low load.
 */
const STATS_EVERY_MS = 20;
let statsAt = -Infinity;
let statsTimer: ReturnType<typeof setTimeout> | undefined;

function reportStats(): void {
  const wait = statsAt + STATS_EVERY_MS - performance.now();
  if (wait <= 0) {
    if (statsTimer !== undefined) clearTimeout(statsTimer);
    statsTimer = undefined;
    statsAt = performance.now();
    post({ t: "stats", stats: writer!.stats() });
  } else {
    statsTimer ??= setTimeout(() => {
      statsTimer = undefined;
      reportStats();
    }, wait);
  }
}
/** Messages are handled one after another: records that arrive while the keys import wait for it. */
let chain: Promise<void> = Promise.resolve();

async function handle(msg: ToLogThread): Promise<void> {
  switch (msg.t) {
    case "init": {
      const keys = await keysFromData(msg.keys);
      const warn = (message: string) => post({ t: "warn", message });
      const expire = retentionRun(msg.config, Date.now, warn, msg.retainedFor);
      const parts = { config: msg.config, keys, secrets: msg.secrets, now: Date.now, warn };
      // After each flush: report the counters, then run retention (as on the main thread).
      writer = assembleWriter(parts, async () => {
        reportStats();
        await expire();
      });
      post({ t: "ready" });
      return;
    }
    case "records": {
      for (const rec of msg.records) writer!.push(rec);
      reportStats();
      return;
    }
    case "rekey":
      // Records that arrived before this message were sealed with the previous keys (messages are ordered).
      writer!.rekey(await keysFromData(msg.keys), msg.secrets);
      return;
    case "report":
      post({ t: "report", stats: writer!.stats() });
      return;
    case "close":
      await writer!.close();
      if (statsTimer !== undefined) clearTimeout(statsTimer);
      post({ t: "closed", stats: writer!.stats() });
      return;
  }
}

self.onmessage = (e: MessageEvent<ToLogThread>) => {
  chain = chain.then(() => handle(e.data)).catch((err) => {
    post({ t: "failed", message: err instanceof Error ? err.message : String(err) });
  });
};

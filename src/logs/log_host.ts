/**
 * What the log thread does with each message from the gateway thread (`log_thread_protocol.ts`): it owns
 * the request-log writer (redaction, gzip, AES-256-GCM, file appends, rotation, fsync, retention) and
 * reports its counters back. Hosted either by a Worker (`log_worker.ts`) or in the gateway's own thread
 * (`inlineLogWorker()` in `log_inline.ts`); both hand it the same messages in the same order.
 */
import { assembleWriter, keysFromData, retentionRun } from "./writer_parts.ts";
import type { FromLogThread, ToLogThread } from "./log_thread_protocol.ts";
import type { LogWriter, WriterStats } from "./writer.ts";

/**
 * Counters go back 20 ms after the last report once a 64th of the queue was written or dropped since, else
 * 250 ms after it; the last ones by a trailing timer, and none when nothing changed. The gateway thread
 * bounds what it posts by them, so it sees the thread at most about a 64th of the queue further behind than
 * it is. Each report wakes the gateway thread: one every 20 ms cost it ~6 µs per call at c=1 (measured).
 */
const STATS_SOON_MS = 20;
const STATS_LATE_MS = 250;

/** Options of `logHost()`. */
export interface LogHostOptions {
  /**
   * Sealing a post's records yields to the event loop whenever it has run this long (ms), so a host on the
   * gateway's own thread never holds it for a whole batch of large bodies; none on a thread of its own.
   */
  sliceMs?: number;
}

/** Handles the messages of one log, posting answers with `post`; messages are handled one after another. */
export function logHost(
  post: (msg: FromLogThread) => void,
  options: LogHostOptions = {},
): (msg: ToLogThread) => void {
  const sliceMs = options.sliceMs;
  let writer: (LogWriter & { rekey: ReturnType<typeof assembleWriter>["rekey"] }) | null = null;
  /** Records written or dropped since the last report that make the next one come soon. */
  let statsStep = 1;
  let statsAt = -Infinity;
  let statsDue = Infinity;
  let statsTimer: ReturnType<typeof setTimeout> | undefined;
  let reported: WriterStats = { queued: 0, written: 0, dropped: 0, bytes: 0 };

  function reportStats(): void {
    const s = writer!.stats();
    if (s.queued === reported.queued && s.written === reported.written && s.dropped === reported.dropped) {
      return;
    }
    const done = s.written + s.dropped - reported.written - reported.dropped;
    const due = statsAt + (done >= statsStep ? STATS_SOON_MS : STATS_LATE_MS);
    const now = performance.now();
    if (due <= now) {
      if (statsTimer !== undefined) clearTimeout(statsTimer);
      statsTimer = undefined;
      statsDue = Infinity;
      statsAt = now;
      reported = s;
      post({ t: "stats", stats: s });
    } else if (due < statsDue) {
      if (statsTimer !== undefined) clearTimeout(statsTimer);
      statsDue = due;
      statsTimer = setTimeout(() => {
        statsTimer = undefined;
        statsDue = Infinity;
        reportStats();
      }, due - now);
    }
  }

  async function handle(msg: ToLogThread): Promise<void> {
    switch (msg.t) {
      case "init": {
        const keys = await keysFromData(msg.keys);
        const warn = (message: string) => post({ t: "warn", message });
        const expire = retentionRun(msg.config, Date.now, warn, msg.retainedFor);
        const parts = { config: msg.config, keys, secrets: msg.secrets, now: Date.now, warn };
        statsStep = Math.max(1, Math.floor(msg.config.logs.queueSize / 64));
        // After each flush: report the counters, then run retention (as on the main thread).
        writer = assembleWriter(parts, async () => {
          reportStats();
          await expire();
        });
        post({ t: "ready" });
        return;
      }
      case "records": {
        let since = performance.now();
        for (const rec of msg.records) {
          if (sliceMs !== undefined && performance.now() - since >= sliceMs) {
            await new Promise((resolve) => setTimeout(resolve, 0));
            since = performance.now();
          }
          writer!.push(rec);
        }
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

  /** Records that arrive while the keys import wait for it: each message waits for the one before. */
  let chain: Promise<void> = Promise.resolve();
  return (msg) => {
    chain = chain.then(() => handle(msg)).catch((err) => {
      post({ t: "failed", message: err instanceof Error ? err.message : String(err) });
    });
  };
}

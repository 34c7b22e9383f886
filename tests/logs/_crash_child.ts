/**
 * Child of the crash test: writes records as fast as the queue takes them and prints `written <n>` each
 * time the writer's count grows, until it is killed. Usage: deno run -A _crash_child.ts <dir> [inline]
 * (the key comes from LOG_KEY; `inline` writes on this thread, `logs.thread: false`).
 */
import { openRequestLog } from "../../src/logs/request_log.ts";
import { callRecord, logConfig } from "./_util.ts";

const dir = Deno.args[0]!;
const log = await openRequestLog(
  logConfig(dir, {
    keys: [{ key: "env:LOG_KEY" }],
    flushIntervalMs: 2,
    batchSize: 16,
    rotateBytes: 64 * 1024,
    thread: Deno.args[1] !== "inline",
  }),
  { env: (n) => Deno.env.get(n) },
);
const enc = new TextEncoder();
let next = 0;
let reported = 0;
while (true) {
  if (log.stats().queued < 200) {
    for (let i = 0; i < 20; i++) log.sink(callRecord({ id: `r${String(next++).padStart(7, "0")}` }));
  }
  const { written, dropped } = log.stats();
  if (dropped > 0) throw new Error(`dropped ${dropped}`);
  if (written > reported) {
    reported = written;
    Deno.stdout.writeSync(enc.encode(`written ${written}\n`));
  }
  await new Promise((r) => setTimeout(r, 1));
}

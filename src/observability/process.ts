/**
 * The standard Prometheus `process_*` metrics (as client libraries export them), read at scrape time from
 * `/proc/self` on Linux; on other systems only what the runtime reports (CPU time, resident memory).
 */
import { cpuUsage } from "node:process";

/** One `process_*` reading. */
export interface ProcessReading {
  cpuSeconds: number;
  residentBytes: number;
  virtualBytes: number | null;
  openFds: number | null;
  maxFds: number | null;
  heapBytes: number;
}

function readOr<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** Reads the process figures now. `proc` is the proc directory (tests pass a fake). */
export function readProcess(proc = "/proc/self"): ProcessReading {
  const cpu = cpuUsage();
  const mem = Deno.memoryUsage();
  const virtualBytes = readOr(() => {
    const stat = Deno.readTextFileSync(`${proc}/stat`);
    // Fields after the command name (which may hold spaces and parentheses): vsize is field 23.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const v = Number(fields[20]);
    return Number.isFinite(v) ? v : null;
  }, null);
  const openFds = readOr(() => {
    let n = 0;
    for (const _ of Deno.readDirSync(`${proc}/fd`)) n++;
    return n;
  }, null);
  const maxFds = readOr(() => {
    const m = /^Max open files\s+(\d+)/m.exec(Deno.readTextFileSync(`${proc}/limits`));
    return m ? Number(m[1]) : null;
  }, null);
  return {
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    residentBytes: mem.rss,
    virtualBytes,
    openFds,
    maxFds,
    heapBytes: mem.heapUsed,
  };
}

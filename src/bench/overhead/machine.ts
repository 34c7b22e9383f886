/**
 * The machine a benchmark ran on (cores, CPU model, RAM, Deno), read from the runtime and `/proc`.
 */

/** Description of the machine. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memTotalBytes: number | null;
  os: string;
  deno: string;
  v8: string;
}

/** Extracts the first `model name` from a `/proc/cpuinfo` text. */
export function cpuModelOf(cpuinfo: string): string | null {
  return /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? null;
}

/** Extracts `MemTotal` in bytes from a `/proc/meminfo` text. */
export function memTotalOf(meminfo: string): number | null {
  const m = /^MemTotal:\s+(\d+)\s+kB/m.exec(meminfo);
  return m ? Number(m[1]) * 1024 : null;
}

async function read(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

/** Reads the running machine's description. */
export async function machineInfo(): Promise<MachineInfo> {
  return {
    cpus: navigator.hardwareConcurrency,
    cpuModel: cpuModelOf(await read("/proc/cpuinfo")) ?? "unknown",
    memTotalBytes: memTotalOf(await read("/proc/meminfo")),
    os: `${Deno.build.os} ${Deno.build.arch}`,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
  };
}

/** One line, e.g. `2 × AMD EPYC, 23.5 GiB RAM, linux x86_64, Deno 2.9.6`. */
export function machineLine(m: MachineInfo): string {
  const ram = m.memTotalBytes === null ? "RAM unknown" : `${(m.memTotalBytes / 2 ** 30).toFixed(1)} GiB RAM`;
  return `${m.cpus} × ${m.cpuModel}, ${ram}, ${m.os}, Deno ${m.deno} (V8 ${m.v8})`;
}

/** CPU time of the whole machine and of some processes, in clock ticks (Linux `/proc`). */
export interface CpuSample {
  /** Ticks all CPUs spent busy. */
  busy: number;
  /** Ticks all CPUs spent in total (busy + idle). */
  total: number;
  /** Ticks the given processes spent (user + system). */
  own: number;
}

/** Busy and total ticks from the first line of `/proc/stat`. */
export function parseProcStat(text: string): { busy: number; total: number } | null {
  const m = /^cpu\s+(.+)$/m.exec(text);
  if (!m) return null;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = m[1]!.trim()
    .split(/\s+/).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** User + system ticks from a `/proc/<pid>/stat` text (fields 14 and 15; the name may hold spaces). */
export function parsePidTicks(text: string): number | null {
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks : null;
}

/** User + system ticks of one process, all threads; null where `/proc` is not available or it is gone. */
export async function pidTicks(pid: number): Promise<number | null> {
  return parsePidTicks(await read(`/proc/${pid}/stat`));
}

/** Samples machine and process CPU time; null where `/proc` is not available. */
export async function cpuSample(pids: number[]): Promise<CpuSample | null> {
  const stat = parseProcStat(await read("/proc/stat"));
  if (stat === null) return null;
  let own = 0;
  for (const pid of pids) own += parsePidTicks(await read(`/proc/${pid}/stat`)) ?? 0;
  return { ...stat, own };
}

/** Share (0–100) of the machine's CPU time that other processes used between two samples. */
export function otherCpuPercent(from: CpuSample, to: CpuSample): number {
  const total = to.total - from.total;
  if (total <= 0) return 0;
  return Math.max(0, (100 * (to.busy - from.busy - (to.own - from.own))) / total);
}

/**
 * The pid file of a running gateway (`<data dir>/azmw.pid`, JSON): who runs, where it listens and where
 * its output goes. Stale files (process gone, or the pid reused by another program) are detected.
 */
import process from "node:process";

/** Contents of the pid file. */
export interface PidInfo {
  pid: number;
  url: string;
  version: string;
  startedAt: string;
  config: string;
  logFile: string | null;
}

/** Path of the pid file in a data dir. */
export function pidPath(dataDir: string): string {
  return `${dataDir}/azmw.pid`;
}

/** Reads the pid file, or null when there is none or it is unreadable. */
export async function readPidFile(path: string): Promise<PidInfo | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  try {
    const j = JSON.parse(text) as Partial<PidInfo>;
    if (typeof j.pid !== "number" || typeof j.url !== "string") return null;
    return {
      pid: j.pid,
      url: j.url,
      version: String(j.version ?? "?"),
      startedAt: String(j.startedAt ?? ""),
      config: String(j.config ?? ""),
      logFile: typeof j.logFile === "string" ? j.logFile : null,
    };
  } catch {
    return null;
  }
}

/** Writes the pid file (mode 0644, replacing any old one). */
export async function writePidFile(path: string, info: PidInfo): Promise<void> {
  await Deno.writeTextFile(path, `${JSON.stringify(info)}\n`);
}

/** Removes the pid file if it still names `pid` (a newer instance's file is left alone). */
export async function removePidFile(path: string, pid: number): Promise<void> {
  const info = await readPidFile(path).catch(() => null);
  if (info !== null && info.pid !== pid) return;
  await Deno.remove(path).catch(() => {});
}

/** Whether a process with this pid exists and looks like azmw (guards against pid reuse). */
export function isAzmwRunning(pid: number): boolean {
  // Our own or our parent's pid (pids are reused quickly in some sandboxes): a file left by a dead process.
  if (pid === Deno.pid || pid === process.ppid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as { code?: string }).code !== "EPERM") return false;
  }
  const seen = describeProcess(pid);
  if (seen === null) return true; // cannot look closer: trust the signal probe
  return !seen.zombie && /\bserve\b/.test(seen.args);
}

/** State and command line of a process, from `ps` (reading /proc of other processes needs --allow-all). */
function describeProcess(pid: number): { zombie: boolean; args: string } | null {
  try {
    const out = new Deno.Command("ps", {
      args: ["-o", "stat=,args=", "-p", String(pid)],
      stdout: "piped",
      stderr: "null",
    })
      .outputSync();
    const line = new TextDecoder().decode(out.stdout).trim();
    if (!out.success || line === "") return out.code === 1 ? { zombie: true, args: "" } : null;
    const [stat = "", ...args] = line.split(/\s+/);
    return { zombie: stat.startsWith("Z"), args: args.join(" ") };
  } catch {
    return null;
  }
}

/** The live instance of a data dir: `running`, `stale` (file left by a dead process) or `none`. */
export async function instanceState(dataDir: string): Promise<
  { state: "running"; info: PidInfo } | { state: "stale"; info: PidInfo } | { state: "none" }
> {
  const info = await readPidFile(pidPath(dataDir));
  if (info === null) return { state: "none" };
  return isAzmwRunning(info.pid) ? { state: "running", info } : { state: "stale", info };
}

/**
 * `serve -d`: starts this program again as a detached child (its own session, no terminal), then waits
 * until the child has written its pid file and answers `/health`. Reports the child's own last output
 * when it exits before that.
 */
import type { CliIo } from "../core/command.ts";
import { pidPath, readPidFile } from "./pidfile.ts";
import { selfCommand } from "./self.ts";

/** Starts the detached child and returns the exit code for the parent. */
export async function detach(
  childArgv: string[],
  options: { dataDir: string; io: CliIo; timeoutMs?: number; command?: string[] },
): Promise<number> {
  const { dataDir, io } = options;
  const logFile = `${dataDir}/azmw.out`;
  const offset = await Deno.stat(logFile).then((s) => s.size, () => 0);
  const [exe, ...prefix] = options.command ?? selfCommand();
  const child = new Deno.Command(exe!, {
    args: [...prefix, ...childArgv],
    detached: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref();
  const state: { exited: Deno.CommandStatus | null } = { exited: null };
  child.status.then((s) => state.exited = s, () => {});

  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (state.exited !== null) {
      io.stderr(
        `azmw serve -d: the gateway exited (code ${state.exited.code}) before it was ready:\n${await tail(
          logFile,
          offset,
        )}`,
      );
      return 1;
    }
    const info = await readPidFile(pidPath(dataDir)).catch(() => null);
    if (info?.pid === child.pid && await healthy(info.url)) {
      io.stdout(
        `azmw running at ${info.url} (pid ${info.pid})\nOutput: ${logFile}\nStop it with: azmw stop${
          dataDir === "./.azmw" ? "" : ` --data-dir ${dataDir}`
        }\n`,
      );
      return 0;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  io.stderr(
    `azmw serve -d: no healthy gateway after ${
      (options.timeoutMs ?? 20_000) / 1000
    } s (pid ${child.pid}); see ${logFile}\n`,
  );
  try {
    Deno.kill(child.pid, "SIGTERM");
  } catch { /* already gone */ }
  return 1;
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/** The last lines a file gained after `offset`. */
export async function tail(path: string, offset: number, lines = 20): Promise<string> {
  try {
    const bytes = await Deno.readFile(path);
    const text = new TextDecoder().decode(bytes.subarray(offset)).trimEnd();
    return text ? text.split("\n").slice(-lines).map((l) => `  ${l}`).join("\n") + "\n" : "  (no output)\n";
  } catch {
    return "  (no output)\n";
  }
}

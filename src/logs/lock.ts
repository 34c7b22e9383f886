/**
 * One writer per request-log folder and instance: the gateway holds an exclusive lock on
 * `<logs.dir>/requests-<instance>.lock` while it runs. The lock is the kernel's (flock), so it goes with
 * the process, also on kill -9: a stale lock file never blocks a restart.
 */

/** A held log lock. */
export interface LogLock {
  /** The lock file. */
  readonly path: string;
  /** Releases the lock (closing the file). */
  release(): void;
}

/** Another process holds the lock. */
export class LogLockedError extends Error {
  /** Creates the error for `path`, naming the holder's pid when it wrote one. */
  constructor(dir: string, instance: string, holder: string) {
    super(
      `Another azmw process${holder ? ` (pid ${holder})` : ""} is writing the request logs in ` +
        `${JSON.stringify(dir)} as instance ${
          JSON.stringify(instance)
        }: two gateways must not append to the ` +
        "same files. Give this one its own --data-dir (logs go to <data_dir>/logs), its own logs.dir, or " +
        "its own server.instance",
    );
    this.name = "LogLockedError";
  }
}

/** Takes the lock of `dir` for `instance`, or throws `LogLockedError` when another process has it. */
export async function lockLogs(dir: string, instance: string): Promise<LogLock> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const path = `${dir.replace(/\/+$/, "")}/requests-${instance}.lock`;
  const file = await Deno.open(path, { read: true, write: true, create: true, mode: 0o600 });
  if (!(await file.tryLock(true))) {
    let holder = "";
    try {
      holder = (await Deno.readTextFile(path)).trim().slice(0, 20);
    } catch {
      // the pid is a courtesy
    }
    file.close();
    throw new LogLockedError(dir, instance, /^\d+$/.test(holder) ? holder : "");
  }
  await file.truncate(0);
  await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      file.close();
    },
  };
}

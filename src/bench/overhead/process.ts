/**
 * A server in a child process: spawn it, wait for its "listening on http://…" line, keep draining its
 * output (the last few KiB are kept for error messages), and stop it with SIGTERM (SIGKILL if it hangs).
 */

/** A running child server. */
export interface ChildServer {
  pid: number;
  /** Base URL from its "listening on" line. */
  url: string;
  /** The last few KiB of its stdout and stderr. */
  output(): string;
  /** Sends SIGTERM, waits for exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** Options of `spawnServer`. */
export interface SpawnOptions {
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Give up waiting for the listening line after this long (default 20 s). */
  timeoutMs?: number;
  /** Name for messages, e.g. "gateway". */
  name?: string;
}

const LISTENING = /listening on (https?:\/\/\S+)/;
const KEEP = 8192;

/** Starts `argv` and resolves once it prints "listening on <url>"; rejects with its output otherwise. */
export async function spawnServer(argv: string[], options: SpawnOptions = {}): Promise<ChildServer> {
  const [program, ...args] = argv;
  if (program === undefined) throw new TypeError("The command line is empty");
  const name = options.name ?? program;
  const child = new Deno.Command(program, {
    args,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let tail = "";
  const keep = (text: string) => {
    tail = (tail + text).slice(-KEEP);
  };
  const drainErr = (async () => {
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) keep(text);
  })().catch(() => {});
  const out = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const exited = child.status.then((s) => s);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waitUrl = (async () => {
    let seen = "";
    for (;;) {
      const { done, value } = await out.read();
      if (done) return null;
      keep(value);
      seen += value;
      const m = LISTENING.exec(seen);
      if (m) return m[1]!;
    }
  })();
  const url = await Promise.race([
    waitUrl,
    exited.then(() => null),
    new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), options.timeoutMs ?? 20_000)),
  ]);
  clearTimeout(timer);
  const drainOut = (async () => {
    await waitUrl;
    for (;;) {
      const { done, value } = await out.read();
      if (done) return;
      keep(value);
    }
  })().catch(() => {});

  let stopped: Promise<void> | undefined;
  const stop = (graceMs = 5000): Promise<void> => {
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
      const kill = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* already exited */ }
      }, graceMs);
      await exited;
      clearTimeout(kill);
      await Promise.all([drainOut, drainErr]);
    })();
    return stopped;
  };
  if (url === null) {
    await stop(1000);
    throw new Error(`The ${name} process did not start (${argv.join(" ")}):\n${tail.trim()}`);
  }
  return { pid: child.pid, url, output: () => tail, stop };
}

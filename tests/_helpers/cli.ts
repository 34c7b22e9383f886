/** Runs azmw as a subprocess (`deno run -A main.ts …`) or in-process with a fake io. */
import type { CliIo } from "../../src/core/command.ts";

/** Path of main.ts. */
export const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Runs `azmw <args>` to completion and returns its exit code and output. */
export async function runAzmw(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { NO_COLOR: "1", ...options.env },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A fake io capturing output; `abort()` simulates SIGTERM. */
export function fakeIo(env: Record<string, string> = {}) {
  const controller = new AbortController();
  const io: CliIo & { out: string; err: string; abort: () => void } = {
    out: "",
    err: "",
    stdout(t) {
      io.out += t;
    },
    stderr(t) {
      io.err += t;
    },
    env: (n) => env[n],
    signal: controller.signal,
    abort: () => controller.abort(),
  };
  return io;
}

/** `azmw serve` as a child process: start it, wait for its URL, stop or kill it. */
import { MAIN } from "./cli.ts";

/** A running `azmw serve` child. */
export interface ServeProcess {
  url: string;
  child: Deno.ChildProcess;
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string;
  /** Sends `signal` and waits for the exit status. */
  stop(signal: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** Spawns `azmw serve <args>` in `cwd` and resolves once it prints its URL. */
export async function spawnServe(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<ServeProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "serve", ...args],
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const drain = async (stream: ReadableStream<Uint8Array>, onText: () => void) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      onText();
    }
  };
  const started = Promise.withResolvers<string>();
  const check = () => {
    const url = /listening on (http:\/\/\S+)/.exec(text)?.[1];
    if (url) started.resolve(url);
  };
  const drained = Promise.all([drain(child.stdout, check), drain(child.stderr, check)]);
  drained.then(() => started.reject(new Error(`azmw serve exited before listening:\n${text}`)));
  const url = await started.promise;
  return {
    url,
    child,
    output: () => text,
    async stop(signal) {
      child.kill(signal);
      const status = await child.status;
      await drained;
      return status;
    },
  };
}

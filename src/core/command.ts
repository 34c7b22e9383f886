/**
 * The shape every subcommand module follows: pure `parseArgs`, `run` with injected I/O, help text.
 */

/** Where a command writes and what it reads from the process; tests pass fakes. */
export interface CliIo {
  /** Writes to standard output (no newline added). */
  stdout(text: string): void;
  /** Writes to standard error (no newline added). */
  stderr(text: string): void;
  /** Reads an environment variable. */
  env(name: string): string | undefined;
  /** Aborted when the process receives SIGINT/SIGTERM (long-running commands stop on it). */
  signal: AbortSignal;
  /** Calls `fn` on each SIGHUP (config reload); returns a function that removes the listener. */
  onHangup?(fn: () => void): () => void;
}

/** A bad command line; the dispatcher prints the message and a hint to `--help`, exit code 2. */
export class UsageError extends Error {
  /** Creates a usage error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A subcommand: parsed arguments are plain data; `run` returns the exit code. */
export interface Command<A> {
  /** Name as typed, e.g. `"config check"`. */
  name: string;
  /** One line for `azmw --help`. */
  summary: string;
  /** Full text for `azmw <command> --help`. */
  help: string;
  /** Parses argv (without the command words); throws `UsageError` on bad input. */
  parseArgs(argv: string[]): A;
  /** Runs the command. */
  run(args: A, io: CliIo): Promise<number>;
}

/** Reads an integer option, rejecting anything that is not a whole number in range. */
export function intOption(name: string, value: string | undefined, min = 0, max = Number.MAX_SAFE_INTEGER) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`Option "--${name}" expects a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

/** Turns a `node:util` `parseArgs` error into a `UsageError` with a std-style message. */
export function usageError(err: unknown): unknown {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS")) return err;
  const message = (err as Error).message;
  const quoted = /'([^']+)'/.exec(message)?.[1];
  const option = /--[a-z-]+/.exec(message)?.[0];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return new UsageError(`Unknown option "${quoted}"`);
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    return new UsageError(`Unexpected argument "${quoted}"`);
  }
  if (/argument missing/.test(message)) return new UsageError(`Option "${option}" needs a value`);
  if (/does not take an argument/.test(message)) return new UsageError(`Option "${option}" takes no value`);
  return new UsageError(message);
}

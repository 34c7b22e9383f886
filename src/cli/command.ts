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

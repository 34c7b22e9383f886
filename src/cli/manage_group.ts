/** `azmw projects`, `azmw keys`, `azmw tokens` on their own: list their subcommands (exit code 2). */
import { type Command, UsageError } from "../core/command.ts";

/** A command that lists the subcommands of a group. */
export function groupCommand(
  name: string,
  summary: string,
  // deno-lint-ignore no-explicit-any
  subcommands: Command<any>[],
): Command<Record<string, never>> {
  const width = Math.max(...subcommands.map((c) => c.name.length));
  const help = `${summary}.

Usage: azmw ${name} <command> [options]

Commands:
${subcommands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Run "azmw ${name} <command> --help" for a command's options.
`;
  return {
    name,
    summary,
    help,
    parseArgs(argv) {
      if (argv.length > 0) throw new UsageError(`Unknown ${name} command "${argv[0]}"`);
      return {};
    },
    run(_args, io) {
      io.stderr(help);
      return Promise.resolve(2);
    },
  };
}

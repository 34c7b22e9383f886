/**
 * `azmw logs …`: the request log commands (`decrypt`, `tail`, `keygen`) and `azmw logs` itself, which
 * lists them.
 */
import { type Command, UsageError } from "../core/command.ts";
import { logsDecryptCommand } from "./logs_decrypt.ts";
import { logsKeygenCommand } from "./logs_keygen.ts";
import { logsTailCommand } from "./logs_tail.ts";

export { logsDecryptCommand, logsKeygenCommand, logsTailCommand };

const SUBCOMMANDS = [logsDecryptCommand, logsTailCommand, logsKeygenCommand];

const HELP = `Read and manage the encrypted request logs.

Usage: azmw logs <command> [options]

Commands:
${SUBCOMMANDS.map((c) => `  ${c.name.padEnd(12)}  ${c.summary}`).join("\n")}

Run "azmw logs <command> --help" for a command's options.
`;

/** `azmw logs` without a subcommand: prints the list of log commands (exit code 2, as a usage hint). */
export const logsCommand: Command<Record<string, never>> = {
  name: "logs",
  summary: "Request log commands: decrypt, tail, keygen",
  help: HELP,
  parseArgs(argv) {
    if (argv.length > 0) throw new UsageError(`Unknown logs command "${argv[0]}"`);
    return {};
  },
  run(_args, io) {
    io.stderr(HELP);
    return Promise.resolve(2);
  },
};

/** Every `logs` command, for the dispatcher. */
export const LOGS_COMMANDS: Command<unknown>[] = [
  logsCommand,
  logsDecryptCommand,
  logsTailCommand,
  logsKeygenCommand,
] as Command<unknown>[];

/** `azmw logs keygen`: prints (or writes, mode 0600) a new request-log sealing key. */
import { parseArgs } from "node:util";
import { decodeKeyText, deriveKid, generateKeyText } from "../logs/keyring.ts";
import { type Command, UsageError, usageError } from "../core/command.ts";

/** Parsed arguments of `azmw logs keygen`. */
export interface LogsKeygenArgs {
  out: string | undefined;
}

const HELP = `Generate a new request-log sealing key: 32 random bytes in base64.

Usage: azmw logs keygen [--out FILE]

Without --out the key is printed on stdout, to be stored as a secret (an environment variable or a
file) and referenced from the config:

  logs:
    keys:
      - key: env:AZMW_LOG_KEY     # the first key seals; keep older ones listed so they still decrypt

Options:
  -o, --out FILE   Write the key to FILE with mode 0600 (never overwrites an existing file)
  -h, --help       Show this help

Examples:
  export AZMW_LOG_KEY="$(azmw logs keygen)"
  azmw logs keygen --out /etc/azmw/log_key
`;

/** The `logs keygen` subcommand. */
export const logsKeygenCommand: Command<LogsKeygenArgs> = {
  name: "logs keygen",
  summary: "Generate a new sealing key for request log bodies",
  help: HELP,
  parseArgs(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          out: { type: "string", short: "o" },
          help: { type: "boolean", short: "h", default: false },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      throw usageError(err);
    }
    if (values.out === "") throw new UsageError('Option "--out" needs a file path');
    return { out: values.out };
  },
  async run(args, io) {
    const key = generateKeyText();
    if (args.out === undefined) {
      io.stdout(`${key}\n`);
      return 0;
    }
    try {
      await Deno.writeTextFile(args.out, `${key}\n`, { createNew: true, mode: 0o600 });
    } catch (err) {
      if (err instanceof Deno.errors.AlreadyExists) {
        io.stderr(`azmw logs keygen: File "${args.out}" already exists; a key file is never overwritten\n`);
        return 1;
      }
      throw err;
    }
    const kid = deriveKid(decodeKeyText(key));
    io.stdout(
      `Wrote a new log key (id "${kid}") to ${args.out} (mode 0600)\nUse it with:  logs.keys: [{ key: "file:${args.out}" }]\n`,
    );
    return 0;
  },
};

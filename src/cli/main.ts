/**
 * The command dispatcher: `azmw <command> [options]`. Each subcommand is a `Command` module with pure
 * argument parsing and a `run` that returns the exit code; only `main.ts` exits the process.
 */
import { VERSION } from "../version.ts";
import { benchCommand } from "./bench.ts";
import { type CliIo, type Command, UsageError } from "../core/command.ts";
import { configCheckCommand } from "./config_check.ts";
import { costReportCommand } from "./cost.ts";
import { costPriceCommand } from "./cost_price.ts";
import { dispatchCommand } from "./dispatch.ts";
import { eventsReplayCommand } from "./events.ts";
import { KEYS_COMMANDS } from "./keys.ts";
import { reloadCommand, statusCommand, stopCommand } from "./daemon.ts";
import { LOGS_COMMANDS } from "./logs.ts";
import { MANAGE_SEED_COMMANDS } from "./manage_seed.ts";
import { mockCommand } from "./mock.ts";
import { PROJECTS_COMMANDS } from "./projects.ts";
import { serveCommand } from "./serve.ts";
import { storeMigrateCommand } from "./store.ts";
import { TOKENS_COMMANDS } from "./tokens.ts";

// deno-lint-ignore no-explicit-any
const COMMANDS: Command<any>[] = [
  serveCommand,
  stopCommand,
  statusCommand,
  reloadCommand,
  mockCommand,
  configCheckCommand,
  benchCommand,
  ...LOGS_COMMANDS,
  costReportCommand,
  costPriceCommand,
  ...PROJECTS_COMMANDS,
  ...KEYS_COMMANDS,
  ...TOKENS_COMMANDS,
  ...MANAGE_SEED_COMMANDS,
  dispatchCommand,
  eventsReplayCommand,
  storeMigrateCommand,
];

/** Top-level help: every subcommand with its summary. */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `azmw ${VERSION} — an LLM gateway for Azure OpenAI, OpenAI and Anthropic

Usage: azmw <command> [options]

Commands:
${lines.join("\n")}

Options:
  -h, --help     Show this help, or a command's help: azmw <command> --help
  -V, --version  Print the version

Run "azmw serve" with no config file to start on the embedded default (a built-in mock upstream).
`;
}

/** Finds the command named by the leading words of argv (longest match first). */
// deno-lint-ignore no-explicit-any
export function findCommand(argv: string[]): { command: Command<any>; rest: string[] } | null {
  const sorted = [...COMMANDS].sort((a, b) => b.name.split(" ").length - a.name.split(" ").length);
  for (const command of sorted) {
    const words = command.name.split(" ");
    if (words.every((w, i) => argv[i] === w)) return { command, rest: argv.slice(words.length) };
  }
  return null;
}

function defaultIo(): CliIo {
  const controller = new AbortController();
  const stop = () => controller.abort();
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(sig, stop);
    } catch { /* signal not supported on this platform */ }
  }
  const enc = new TextEncoder();
  return {
    stdout: (t) => void Deno.stdout.writeSync(enc.encode(t)),
    stderr: (t) => void Deno.stderr.writeSync(enc.encode(t)),
    env: (n) => Deno.env.get(n),
    signal: controller.signal,
    onHangup(fn) {
      Deno.addSignalListener("SIGHUP", fn);
      return () => Deno.removeSignalListener("SIGHUP", fn);
    },
  };
}

/** Runs the CLI and returns the exit code. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  if (argv.length === 0 || argv[0] === "-h" || argv[0] === "--help" || argv[0] === "help") {
    io.stdout(mainHelp());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === "-V" || argv[0] === "--version") {
    io.stdout(`azmw ${VERSION}\n`);
    return 0;
  }
  const found = findCommand(argv);
  if (found === null) {
    io.stderr(`azmw: unknown command "${argv.join(" ")}"\nRun "azmw --help" for the list of commands.\n`);
    return 2;
  }
  const { command, rest } = found;
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(command.help);
    return 0;
  }
  try {
    return await command.run(command.parseArgs(rest), io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`azmw ${command.name}: ${err.message}\nRun "azmw ${command.name} --help" for usage.\n`);
      return 2;
    }
    io.stderr(`azmw ${command.name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

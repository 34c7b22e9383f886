/**
 * The seed management CLI's verbs, kept for scripts written for it: `azmw manage project list`,
 * `azmw manage token generate --project-id ID`, `azmw manage token get TOKEN`, with its
 * `--manage-api-base-url` and `--management-token` options. Each is `azmw projects|tokens …` underneath.
 */
import type { Command } from "../core/command.ts";
import { projectsListCommand } from "./projects.ts";
import { tokensCreateCommand, tokensShowCommand } from "./tokens.ts";

/** Renames the seed's options to azmw's (`--manage-api-base-url` → `--url`, `--management-token` → `--token`). */
export function seedArgv(argv: string[]): string[] {
  const names: Record<string, string> = {
    "--manage-api-base-url": "--url",
    "--management-token": "--token",
  };
  return argv.map((a) => {
    const eq = a.indexOf("=");
    const name = eq < 0 ? a : a.slice(0, eq);
    const to = names[name];
    return to === undefined ? a : eq < 0 ? to : `${to}${a.slice(eq)}`;
  });
}

const SEED_OPTIONS = `Seed CLI options (azmw's own names work too):
      --manage-api-base-url URL   The gateway (as --url; env AZMW_MANAGE_URL)
      --management-token TOKEN    Management token (as --token; env AZMW_MANAGE_TOKEN)
      --json                      Print JSON`;

function alias<A>(name: string, summary: string, target: Command<A>, usage: string): Command<A> {
  return {
    name,
    summary,
    help: `${summary} — the seed management CLI's verb for "azmw ${target.name}".

Usage: azmw ${name} ${usage}

${SEED_OPTIONS}

Every option of "azmw ${target.name} --help" is accepted as well.
`,
    parseArgs: (argv) => target.parseArgs(seedArgv(argv)),
    run: (args, io) => target.run(args, io),
  };
}

/** `azmw manage project list` */
export const manageProjectListCommand = alias(
  "manage project list",
  "List projects",
  projectsListCommand,
  "[--manage-api-base-url URL] [--management-token TOKEN] [--json]",
);

/** `azmw manage token generate` */
export const manageTokenGenerateCommand = alias(
  "manage token generate",
  "Generate a withering token for a project",
  tokensCreateCommand,
  "--project-id ID [--duration-minutes N] [--manage-api-base-url URL] [--management-token TOKEN] [--json]",
);

/** `azmw manage token get` */
export const manageTokenGetCommand = alias(
  "manage token get",
  "Show one token (by its secret or its id)",
  tokensShowCommand,
  "TOKEN [--manage-api-base-url URL] [--management-token TOKEN] [--json]",
);

/** The seed CLI's verbs, for the dispatcher. */
// deno-lint-ignore no-explicit-any
export const MANAGE_SEED_COMMANDS: Command<any>[] = [
  manageProjectListCommand,
  manageTokenGenerateCommand,
  manageTokenGetCommand,
];

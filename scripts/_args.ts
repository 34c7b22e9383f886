/**
 * Command-line options of the scripts: `node:util` `parseArgs` plus `--help` (`-h`). `--help` prints the
 * script's usage — the `deno run` lines of its module comment, with their continuation lines — and exits 0;
 * an unknown or malformed option prints the error and the usage and exits 2, never a stack trace.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** The usage of a script from its source: the indented `deno run` lines of its first doc comment. */
export function usageOf(source: string): string {
  const comment = /\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? "";
  const lines = comment.split("\n").map((l) => l.replace(/^\s*\* ?/, ""));
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^ {2,}(npx -y )?deno(@[\d.]+)? (run|task) /.test(lines[i]!)) continue;
    out.push(`  ${lines[i]!.trim()}`);
    while (i + 1 < lines.length && /^ {4,}\S/.test(lines[i + 1]!)) out.push(`      ${lines[++i]!.trim()}`);
  }
  return out.length === 0 ? "Usage: see the comment at the top of the script" : `Usage:\n${out.join("\n")}`;
}

function usage(): string {
  try {
    return usageOf(Deno.readTextFileSync(new URL(Deno.mainModule)));
  } catch {
    return "Usage: see the comment at the top of the script";
  }
}

/** Prints `message` (if any) and the usage on stderr, then exits with `code`. */
export function usageExit(code: number, message?: string): never {
  console.error(message === undefined ? usage() : `${message}\n${usage()}`);
  Deno.exit(code);
}

/** `parseArgs(config)` over `Deno.args`, with `--help` and a usage message for bad options. */
export function scriptArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  const args = config.args ?? Deno.args;
  if (args.includes("--help") || args.includes("-h")) {
    console.log(usage());
    Deno.exit(0);
  }
  try {
    return parseArgs({ ...config, args } as T);
  } catch (err) {
    usageExit(2, (err as Error).message);
  }
}

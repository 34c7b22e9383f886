/**
 * Compiles azmw for every shipped platform into dist/: the `compile` task's own flags (permissions, the log
 * thread's module) with a `--target` and an output name per platform. Needs Deno's runtime downloads
 * (dl.deno.land) for each target.
 *
 *   deno task release              # all targets
 *   deno task release --dry-run    # print the commands only
 */
import { scriptArgs } from "./_args.ts";

/** Platforms a release is built for: Deno target triple and the file name in dist/. */
export const RELEASE_TARGETS = [
  { target: "x86_64-unknown-linux-gnu", output: "dist/azmw-linux-x64" },
  { target: "aarch64-unknown-linux-gnu", output: "dist/azmw-linux-arm64" },
  { target: "x86_64-apple-darwin", output: "dist/azmw-macos-x64" },
  { target: "aarch64-apple-darwin", output: "dist/azmw-macos-arm64" },
  { target: "x86_64-pc-windows-msvc", output: "dist/azmw-windows-x64.exe" },
] as const;

/** The `deno compile` arguments of each target, from the text of the `compile` task. */
export function releaseCommands(compileTask: string): { target: string; args: string[] }[] {
  const words = compileTask.trim().split(/\s+/);
  if (words[0] !== "deno" || words[1] !== "compile") {
    throw new TypeError(
      `The compile task must start with "deno compile", got "${words.slice(0, 2).join(" ")}"`,
    );
  }
  const flags = words.slice(2);
  const out = flags.indexOf("--output");
  if (out < 0 || flags[out + 1] === undefined) throw new TypeError("The compile task must name an --output");
  return RELEASE_TARGETS.map(({ target, output }) => {
    const args = [...flags];
    args.splice(out, 2, "--target", target, "--output", output);
    return { target, args: ["compile", ...args] };
  });
}

if (import.meta.main) {
  const root = new URL("../", import.meta.url);
  const task: string = JSON.parse(await Deno.readTextFile(new URL("deno.json", root))).tasks.compile;
  const dryRun = scriptArgs({ options: { "dry-run": { type: "boolean" } } }).values["dry-run"] === true;
  let failed = 0;
  for (const { target, args } of releaseCommands(task)) {
    console.log(`deno ${args.join(" ")}`);
    if (dryRun) continue;
    const { code } = await new Deno.Command(Deno.execPath(), { args, cwd: root }).spawn().status;
    if (code !== 0) {
      console.error(`release: ${target} failed (exit ${code})`);
      failed++;
    }
  }
  Deno.exit(failed === 0 ? 0 : 1);
}

/**
 * How to start this same program again (daemon child, benchmark processes): the executable alone when
 * compiled, else `deno run` with the project's config (its import map) and the permissions azmw needs.
 */
import { fileURLToPath } from "node:url";

/** What identifies the running program. */
export interface SelfInfo {
  /** `Deno.execPath()`: the deno binary, or the compiled executable. */
  execPath: string;
  /** `Deno.build.standalone`: true inside a `deno compile` executable. */
  standalone: boolean;
  /** URL of main.ts (`file:` when run as a script). */
  mainUrl: string;
}

/** The running program, with main.ts located relative to this module. */
export function currentSelf(): SelfInfo {
  return {
    execPath: Deno.execPath(),
    standalone: Deno.build.standalone === true,
    mainUrl: new URL("../../main.ts", import.meta.url).href,
  };
}

/**
 * True when running as a compiled executable: `Deno.build.standalone`, or (older runtimes) modules that
 * live in the executable's virtual `deno-compile-*` directory.
 */
export function isCompiled(self: SelfInfo): boolean {
  return self.standalone || self.mainUrl.includes("/deno-compile-");
}

/** The argv prefix that runs azmw (append the subcommand and its options). */
export function selfCommand(self: SelfInfo = currentSelf()): string[] {
  if (isCompiled(self)) return [self.execPath];
  if (!self.mainUrl.startsWith("file:")) {
    throw new TypeError(`Cannot start azmw again from "${self.mainUrl}": main.ts is not a local file`);
  }
  const main = fileURLToPath(self.mainUrl);
  return [
    self.execPath,
    "run",
    "--allow-net",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-sys",
    "--allow-run",
    `--config=${fileURLToPath(new URL("deno.json", self.mainUrl))}`,
    main,
  ];
}

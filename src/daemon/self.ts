/**
 * How to start this same program again (daemon child, benchmark processes): the executable alone when
 * compiled, else `deno run` with the project's config (its import map) and permissions.
 */

/** The argv prefix that runs azmw (append the subcommand and its options). */
export function selfCommand(
  info: { standalone: boolean; execPath: string; mainUrl: string } = {
    standalone: Deno.build.standalone,
    execPath: Deno.execPath(),
    mainUrl: new URL("../../main.ts", import.meta.url).href,
  },
): string[] {
  if (info.standalone) return [info.execPath];
  const main = new URL(info.mainUrl);
  const config = new URL("deno.json", main);
  return [
    info.execPath,
    "run",
    "--allow-net",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-sys",
    "--allow-run",
    `--config=${config.pathname}`,
    main.pathname,
  ];
}

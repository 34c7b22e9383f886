/**
 * How the benchmark starts the bare relay: from source, `deno run` of `relay_main.ts` alone (nothing of
 * azmw loaded but the relay); from a compiled executable, `azmw bench --relay-upstream URL`.
 */
import { fileURLToPath } from "node:url";
import { isCompiled, selfArgv, type SelfInfo } from "./self_argv.ts";

/** The argv (program first) that starts the relay in front of `upstream`. */
export function relayArgv(self: SelfInfo, upstream: string): string[] {
  if (isCompiled(self) || !import.meta.url.startsWith("file:")) {
    return selfArgv(self, ["bench", "--relay-upstream", upstream]);
  }
  const main = fileURLToPath(new URL("./relay_main.ts", import.meta.url));
  return [self.execPath, "run", "--allow-net", "--allow-env", main, "--upstream", upstream];
}

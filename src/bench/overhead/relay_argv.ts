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

/** The reference relays a benchmark can start in place of the gateway, and the flags of each. */
const REFERENCES: Readonly<Record<string, readonly string[]>> = {
  relay: [],
  floor: ["--floor"],
  "floor-bare": ["--floor", "--bare"],
};

/**
 * The argv builder (mock URL in, argv out) of the reference relay `name` — `relay` (bare), `floor`,
 * `floor-bare` (`floor_relay.ts`) — or `undefined` for any other name (the gateway itself). The floor relays
 * start from source only: a compiled executable carries the bare relay alone.
 */
export function referenceArgv(self: SelfInfo, name: string): ((mockUrl: string) => string[]) | undefined {
  const flags = Object.hasOwn(REFERENCES, name) ? REFERENCES[name]! : undefined;
  return flags && ((mockUrl) => [...relayArgv(self, mockUrl), ...flags]);
}

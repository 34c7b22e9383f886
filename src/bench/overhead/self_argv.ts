/**
 * The benchmark's processes are this same program again; `src/daemon/self.ts` knows how to start it.
 */
import { selfCommand, type SelfInfo } from "../../daemon/self.ts";

export { currentSelf, isCompiled, type SelfInfo } from "../../daemon/self.ts";

/** The argv (program first) that runs `azmw <args>` the way this process was started. */
export function selfArgv(self: SelfInfo, args: string[]): string[] {
  return [...selfCommand(self), ...args];
}

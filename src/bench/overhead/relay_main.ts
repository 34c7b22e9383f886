/**
 * The bare relay as a program of its own: what `azmw bench --overhead` starts when azmw runs from source,
 * so the reference loads nothing but `Deno.serve`, `fetch` and this folder (from a compiled executable it
 * is `azmw bench --relay-upstream URL`, which carries the executable's code as the gateway does).
 *
 *   AZMW_BENCH_KEY=… AZMW_BENCH_UPSTREAM_KEY=… deno run -A relay_main.ts --upstream URL [--port N] [--floor [--bare]]
 *
 * `--floor` serves the floor relay (`floor_relay.ts`): the bare relay plus the I/O a gateway cannot drop;
 * `--bare` leaves out its link to the client's connection and its timers.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { relayKeysFromEnv, serveRelay } from "./relay.ts";

const USAGE = "Usage: AZMW_BENCH_KEY=… AZMW_BENCH_UPSTREAM_KEY=… relay_main.ts --upstream URL [--port N] " +
  "[--floor [--bare]]";

/** Parses `args` and serves the relay until SIGINT or SIGTERM. */
export async function relayMain(args: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        upstream: { type: "string" },
        port: { type: "string" },
        floor: { type: "boolean" },
        bare: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  if (!values.upstream) {
    console.error(USAGE);
    Deno.exit(2);
  }
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, () => stop.abort());
  await serveRelay({
    upstream: values.upstream,
    ...relayKeysFromEnv((name) => Deno.env.get(name)),
    port: Number(values.port ?? 0),
    floor: values.floor === true ? (values.bare === true ? "bare" : true) : false,
    signal: stop.signal,
    announce: (line) => void Deno.stdout.write(new TextEncoder().encode(line)),
  });
}

if (import.meta.main) await relayMain(Deno.args);

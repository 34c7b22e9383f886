/**
 * The bare `Deno.serve` + `fetch` relay of `azmw bench --overhead` (src/bench/overhead/relay.ts), started
 * on its own, e.g. to drive it with wrk:
 *
 *   AZMW_BENCH_KEY=… AZMW_BENCH_UPSTREAM_KEY=… deno run -A scripts/bench_relay.ts --upstream URL [--port N] [--floor]
 *
 * `--floor` starts the floor relay instead (src/bench/overhead/floor_relay.ts).
 *
 * Prints `relay listening on http://127.0.0.1:<port>` once ready.
 *
 * @module
 */
import { relayMain } from "../src/bench/overhead/relay_main.ts";

await relayMain(Deno.args);

/**
 * `azmw stop`, `azmw status` and `azmw reload`: control of a running gateway found through the pid file
 * in its data dir.
 */
import { parseArgs as parse } from "node:util";
import { loadConfig } from "../config/load.ts";
import { tail } from "../daemon/detach.ts";
import { instanceState, isAzmwRunning, type PidInfo, pidPath, removePidFile } from "../daemon/pidfile.ts";
import { ConfigError } from "../core/errors.ts";
import { type Command, intOption, UsageError } from "../core/command.ts";

/** Options shared by the control commands. */
export interface ControlArgs {
  dataDir: string;
  json: boolean;
  timeoutS: number;
}

/** Parses the options shared by stop, status and reload. */
export function parseControl(argv: string[], defaultTimeoutS: number): ControlArgs {
  let values;
  try {
    ({ values } = parse({
      args: argv,
      options: {
        "data-dir": { type: "string", default: "./.azmw" },
        json: { type: "boolean", default: false },
        timeout: { type: "string" },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return {
    dataDir: values["data-dir"],
    json: values.json,
    timeoutS: intOption("timeout", values.timeout, 1, 3600) ?? defaultTimeoutS,
  };
}

const COMMON = `  --data-dir DIR   Data dir of the gateway (where azmw.pid is); default ./.azmw
  -h, --help       Show this help`;

async function health(url: string): Promise<Record<string, unknown> | null> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    return await res.json();
  } catch {
    return null;
  }
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutS: number): Promise<boolean> {
  const deadline = Date.now() + timeoutS * 1000;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** The `stop` subcommand. */
export const stopCommand: Command<ControlArgs> = {
  name: "stop",
  summary: "Stop a gateway started with serve -d (graceful: open streams finish)",
  help: `Usage: azmw stop [options]

Sends SIGTERM to the gateway of the data dir and waits until it has exited: it stops accepting, lets open
calls and streams finish (up to server.shutdown_grace_ms) and flushes its logs. A stale pid file (the
process is gone) is removed. Exit 0 when no gateway runs afterwards.

Options:
  --timeout S      How long to wait, in seconds; default 60
${COMMON}
`,
  parseArgs: (argv) => parseControl(argv, 60),
  async run(args, io) {
    const s = await instanceState(args.dataDir);
    if (s.state === "none") {
      io.stdout("azmw is not running\n");
      return 0;
    }
    if (s.state === "stale") {
      await removePidFile(pidPath(args.dataDir), s.info.pid);
      io.stdout(`azmw is not running (removed a stale pid file of pid ${s.info.pid})\n`);
      return 0;
    }
    Deno.kill(s.info.pid, "SIGTERM");
    if (await waitFor(() => !isAzmwRunning(s.info.pid), args.timeoutS)) {
      io.stdout(`azmw stopped (pid ${s.info.pid})\n`);
      return 0;
    }
    io.stderr(`azmw stop: pid ${s.info.pid} is still running after ${args.timeoutS} s\n`);
    return 1;
  },
};

function describe(info: PidInfo, h: Record<string, unknown> | null): Record<string, unknown> {
  const started = Date.parse(info.startedAt);
  return {
    running: true,
    pid: info.pid,
    url: info.url,
    version: info.version,
    started_at: info.startedAt,
    uptime_s: Number.isFinite(started) ? Math.round((Date.now() - started) / 1000) : null,
    config: info.config,
    output: info.logFile,
    health: h,
  };
}

/** The `status` subcommand. */
export const statusCommand: Command<ControlArgs> = {
  name: "status",
  summary: "Show whether the gateway runs: pid, uptime, version, URL, health",
  help: `Usage: azmw status [options]

Shows the gateway of the data dir: pid, uptime, version, URL, config, health (per upstream) and calls
served. Exit 0 when it runs and answers, 1 when it runs but /health does not answer, 3 when it is not
running.

Options:
  --json           Machine-readable output
${COMMON}
`,
  parseArgs: (argv) => parseControl(argv, 5),
  async run(args, io) {
    const s = await instanceState(args.dataDir);
    if (s.state !== "running") {
      const note = s.state === "stale" ? ` (stale pid file of pid ${s.info.pid})` : "";
      io.stdout(
        args.json
          ? `${JSON.stringify({ running: false, stale: s.state === "stale" })}\n`
          : `azmw is not running${note}\n`,
      );
      return 3;
    }
    const h = await health(s.info.url);
    const d = describe(s.info, h);
    if (args.json) {
      io.stdout(`${JSON.stringify(d, null, 2)}\n`);
      return h ? 0 : 1;
    }
    const lines = [
      `azmw ${s.info.version} running, pid ${s.info.pid}, up ${d.uptime_s ?? "?"} s`,
      `URL:     ${s.info.url}`,
      `Config:  ${s.info.config}`,
    ];
    if (s.info.logFile) lines.push(`Output:  ${s.info.logFile}`);
    if (h === null) lines.push("Health:  not answering");
    else {
      lines.push(
        `Health:  ${h.status} (${h.in_flight} in flight, ${h.requests} calls since the last config load)`,
      );
      if (typeof h.spend_today_eur === "number") {
        lines.push(`Spend:   €${h.spend_today_eur.toFixed(4)} today`);
      }
      for (const u of (h.upstreams as { name: string; ready: boolean; error?: string }[] | undefined) ?? []) {
        lines.push(
          `  upstream ${u.name}: ${u.ready ? "ready" : `not ready${u.error ? ` (${u.error})` : ""}`}`,
        );
      }
    }
    io.stdout(`${lines.join("\n")}\n`);
    return h ? 0 : 1;
  },
};

/** The `reload` subcommand. */
export const reloadCommand: Command<ControlArgs> = {
  name: "reload",
  summary: "Reload the running gateway's config file (validated first; a bad one is refused)",
  help: `Usage: azmw reload [options]

Validates the running gateway's config file, then sends it SIGHUP and waits until the new config is live.
A config that does not validate is refused with the reason and the old one stays live; calls in flight
are not disturbed.

Options:
  --timeout S      How long to wait for the new config, in seconds; default 10
${COMMON}
`,
  parseArgs: (argv) => parseControl(argv, 10),
  async run(args, io) {
    const s = await instanceState(args.dataDir);
    if (s.state !== "running") {
      io.stderr("azmw reload: azmw is not running\n");
      return 1;
    }
    if (s.info.config === "embedded") {
      io.stderr(
        "azmw reload: the gateway runs on the embedded default, which has no config file to reload\n",
      );
      return 1;
    }
    try {
      await loadConfig(s.info.config);
    } catch (err) {
      io.stderr(
        `azmw reload: refused, the running config stays live.\n${
          err instanceof ConfigError ? err.message : String(err)
        }\n`,
      );
      return 1;
    }
    const before = await health(s.info.url);
    const loadedAt = (before?.config as { loaded_at?: string } | undefined)?.loaded_at;
    const offset = s.info.logFile ? await Deno.stat(s.info.logFile).then((st) => st.size, () => 0) : 0;
    Deno.kill(s.info.pid, "SIGHUP");
    const changed = await waitFor(async () => {
      const h = await health(s.info.url);
      return (h?.config as { loaded_at?: string } | undefined)?.loaded_at !== loadedAt;
    }, args.timeoutS);
    if (changed) {
      io.stdout(`azmw reloaded ${s.info.config}\n`);
      return 0;
    }
    io.stderr(`azmw reload: the new config did not go live within ${args.timeoutS} s\n`);
    if (s.info.logFile) io.stderr(await tail(s.info.logFile, offset, 5));
    return 1;
  },
};

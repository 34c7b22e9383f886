/**
 * `azmw serve`: runs the gateway. With `--config` (or `AZMW_CONFIG`) it serves that file; without one it
 * starts on the embedded default: a built-in mock upstream and a local key kept in the data dir. With
 * `-d` it starts itself detached and returns once the gateway answers.
 *
 * This is where the running gateway is composed: the request log, event bus, shared counters,
 * governance, cost control and admin UI are opened here and handed to `startGateway` as its callers,
 * sinks and routes; the gateway builds each config generation's pipeline from them (`buildGeneration`).
 */
import { EVENTS_DEFAULTS } from "../config/schema_events.ts";
import { parseArgs as parse } from "node:util";
import { embeddedConfig, loadConfig, resolveCallerKeys } from "../config/load.ts";
import { useExternalSecrets } from "../config/secrets.ts";
import { createKeyVault } from "../server/key_vault.ts";
import type { Config } from "../config/types.ts";
import { costStage, createCostControl, todaySpend } from "../cost/mod.ts";
import { createAdminUi, ensureAdminToken, RecentCalls } from "../admin/ui/mod.ts";
import { DayClock } from "../logs/day.ts";
import { openGovernance } from "../server/governance.ts";
import { RateHistory } from "../governance/rate_history.ts";
import { detach } from "../daemon/detach.ts";
import { EventBus } from "../events/bus.ts";
import { instanceState, pidPath, removePidFile, writePidFile } from "../daemon/pidfile.ts";
import { serveMock } from "../mock/mod.ts";
import { ensureEmbeddedLogKey, openRequestLog } from "../logs/mod.ts";
import { lockLogs, LogLockedError } from "../logs/lock.ts";
import { needsGlobalKey } from "../logs/policy.ts";
import { createAppLog } from "../observability/app_log.ts";
import { createGatewayMetrics } from "../observability/metrics.ts";
import { sha256Hex } from "../core/sha256.ts";
import { newApiKey } from "../admin/credentials.ts";
import { settlesWithin, SHUTDOWN_CLOSE_MS, SHUTDOWN_DRAIN_MS, startGateway } from "../server/gateway.ts";
import { openReplica } from "../server/replica.ts";
import { openSharedCounters } from "../counters/mod.ts";
import { ConfigError } from "../core/errors.ts";
import { logsDirOf, unauthenticatedPublic } from "../config/schema.ts";
import { unresolvedSecrets } from "../config/secrets.ts";
import { VERSION } from "../version.ts";
import { type CliIo, type Command, intOption, UsageError } from "../core/command.ts";

/** Parsed `serve` options. */
export interface ServeArgs {
  config: string | undefined;
  host: string | undefined;
  port: number | undefined;
  dataDir: string | undefined;
  detach: boolean;
  logFile: string | undefined;
}

const HELP = `Usage: azmw serve [options]

Runs the gateway until SIGINT/SIGTERM or "azmw stop"; then it stops accepting, lets open calls and
streams finish (up to server.shutdown_grace_ms), ends the ones still open with a "shutdown" error
(each is logged), flushes its logs (at most 5 s) and exits 0. SIGHUP (or
"azmw reload") reloads the config file: a bad new config is refused and the old one stays live.

Without a config file it starts on the embedded default: 127.0.0.1:8787, a built-in mock upstream
(deployments gpt-4o-mini, gpt-4.1, text-embedding-3-small), and a local caller key that is generated
on first start, printed once and kept in <data-dir>/local_key (mode 0600). The admin web UI at /admin/
signs in with an admin token generated the same way, kept in <data-dir>/admin_token.

Options:
  -c, --config FILE    Config file (YAML); default: $AZMW_CONFIG, else the embedded default
      --host HOST      Listen address (overrides server.host)
  -p, --port PORT      Listen port, 0 for any free port (overrides server.port)
      --data-dir DIR   State directory (overrides server.data_dir; embedded default ./.azmw)
  -d, --detach         Start in the background: writes <data-dir>/azmw.pid and <data-dir>/azmw.out,
                       waits until /health answers, prints the URL and pid, and exits
      --log-file FILE  Write the output and the application log to FILE instead of the terminal
  -h, --help           Show this help

Examples:
  azmw serve
  azmw serve -d --config config.yaml
  azmw serve -c config.yaml --port 9000
`;

/** The `serve` subcommand. */
export const serveCommand: Command<ServeArgs> = {
  name: "serve",
  summary: "Run the gateway (-d: in the background; embedded default without a config file)",
  help: HELP,
  parseArgs(argv) {
    let values;
    try {
      ({ values } = parse({
        args: argv,
        options: {
          config: { type: "string", short: "c" },
          host: { type: "string" },
          port: { type: "string", short: "p" },
          "data-dir": { type: "string" },
          detach: { type: "boolean", short: "d", default: false },
          "log-file": { type: "string" },
        },
        allowPositionals: false,
        strict: true,
      }));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    return {
      config: values.config,
      host: values.host,
      port: intOption("port", values.port, 0, 65535),
      dataDir: values["data-dir"],
      detach: values.detach,
      logFile: values["log-file"],
    };
  },
  run: runServe,
};

/** The argv of a `serve` run, without `-d`, for the detached child. */
export function childArgs(args: ServeArgs, logFile: string): string[] {
  const out = ["serve", "--log-file", logFile];
  if (args.config !== undefined) out.push("--config", args.config);
  if (args.host !== undefined) out.push("--host", args.host);
  if (args.port !== undefined) out.push("--port", String(args.port));
  if (args.dataDir !== undefined) out.push("--data-dir", args.dataDir);
  return out;
}

async function runServe(args: ServeArgs, io: CliIo): Promise<number> {
  if (!args.logFile) return await serve(args, io);
  // A detached child has no terminal: everything it says, failures included, goes to the output file.
  const out = await openOutput(args.logFile);
  const fileIo: CliIo = { ...io, stdout: out.write, stderr: out.write };
  try {
    return await serve(args, fileIo);
  } catch (err) {
    out.write(`azmw serve: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    out.close();
  }
}

async function serve(args: ServeArgs, io: CliIo): Promise<number> {
  const configPath = args.config ?? io.env("AZMW_CONFIG");
  let config = configPath ? await loadConfig(configPath) : null;
  const dataDir = args.dataDir ?? config?.server.dataDir ?? "./.azmw";
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });

  const existing = await instanceState(dataDir);
  if (existing.state === "running") {
    io.stderr(
      `azmw serve: already running (pid ${existing.info.pid}, ${existing.info.url}); "azmw stop" stops it\n`,
    );
    return 1;
  }
  const log = createAppLog(io.stderr);
  if (existing.state === "stale") {
    log.warn("Removed a stale pid file", { pid: existing.info.pid });
    await removePidFile(pidPath(dataDir), existing.info.pid);
  }
  if (args.detach) return await detach(childArgs(args, `${dataDir}/azmw.out`), { dataDir, io });

  let env = io.env;
  let onClose = async () => {};
  let banner = "";
  let adminBanner = "";
  if (config === null) {
    const { key, created } = await localKey(dataDir);
    const mockKey = crypto.randomUUID();
    const mock = serveMock({ apiKey: mockKey });
    onClose = () => mock.shutdown();
    config = embeddedConfig({ mockUrl: mock.url, keySha256: sha256Hex(key), dataDir });
    env = (name) => name === "AZMW_MOCK_UPSTREAM_KEY" ? mockKey : io.env(name);
    banner = `Embedded default: built-in mock upstream at ${mock.url}\n` +
      (created
        ? `Your local key (shown once, kept in ${dataDir}/local_key): ${key}\n`
        : `Local key: in ${dataDir}/local_key\n`);
    // The admin UI (and /manage) of the embedded default sign in with a generated admin token.
    const admin = await ensureAdminToken(dataDir);
    config.manage = { token: `file:${admin.path}`, cacheTtlMs: 1_000 };
    adminBanner = admin.created
      ? `Admin UI: {url}/admin/ — admin token (shown once, kept in ${admin.path}): ${admin.token}\n`
      : `Admin UI: {url}/admin/ — admin token in ${admin.path}\n`;
    const logKey = await ensureEmbeddedLogKey(dataDir);
    if (logKey.created) {
      banner += `Request-log key created: ${logKey.path} ("azmw logs decrypt" finds it there)\n`;
    }
  }
  if (args.host !== undefined) config.server.host = args.host;
  if (args.port !== undefined) config.server.port = args.port;
  config.server.dataDir = dataDir;
  if (config.logs.dirFromDataDir) config.logs.dir = logsDirOf(dataDir);
  // `kv://` references resolve through one cached Key Vault client; a rotated secret reloads the pipeline.
  let onRotation = (_ref: string) => {};
  const keyVault = createKeyVault(config, {
    env,
    warn: (msg) => log.warn(msg),
    onChange: (ref) => onRotation(ref),
  });
  useExternalSecrets(keyVault);
  // Checked again after --host; every unresolvable secret is listed at once, each with its fix.
  const refusal = unauthenticatedPublic(config);
  const missing = [...await unresolvedSecrets(config, { env }), ...missingLogKey(config)];
  if (refusal !== null || missing.length > 0) {
    const issues = [...(refusal === null ? [] : [{ path: "auth.required", message: refusal }]), ...missing];
    await onClose();
    throw new ConfigError(issues, config.source);
  }

  keyVault.start();

  // Two processes never append to the same log files (nor rebuild spend from each other's records).
  let logLock;
  try {
    logLock = await lockLogs(config.logs.dir, config.server.instance);
  } catch (err) {
    await onClose();
    if (!(err instanceof LogLockedError)) throw err;
    io.stderr(`azmw serve: ${err.message}\n`);
    return 1;
  }
  // Refuses to start when bodies are logged but no sealing key resolves: never plaintext bodies.
  const requestLog = await openRequestLog(config, { env, warn: (msg) => log.warn(msg) }).catch(
    async (err) => {
      logLock.release();
      await onClose();
      throw err;
    },
  );
  const metrics = createGatewayMetrics();
  const stat = (pick: (s: ReturnType<typeof requestLog.stats>) => number) => () =>
    [[undefined, pick(requestLog.stats())]] as [undefined, number][];
  metrics.gauge(
    "azmw_log_queue_depth",
    "Request-log records waiting for the writer",
    [],
    stat((s) => s.queued),
  );
  metrics.gauge("azmw_log_records_written_total", "Request-log records written", [], stat((s) => s.written), {
    counter: true,
  });
  metrics.gauge(
    "azmw_log_records_dropped_total",
    "Request-log records dropped on a full queue",
    [],
    stat((s) => s.dropped),
    {
      counter: true,
    },
  );
  const events = await EventBus.open(config, { env, warn: (msg) => log.warn(msg) });
  events.metrics.register(metrics.registry);
  const emit = (p: { scope: string }) => events.emit("azmw.budget.threshold", p, { subject: p.scope });
  const onError = (err: unknown) =>
    log.error("Governance background task failed", { error: err instanceof Error ? err : String(err) });
  const shared = await openSharedCounters(config, {
    env,
    warn: (msg, fields) => log.warn(msg, fields),
    onError,
  });
  shared?.register(metrics);
  const governance = await openGovernance(config, {
    ...(shared ? { shared: shared.governance } : {}),
    callerKeys: await resolveCallerKeys(config, { env }),
    env,
    onError,
  });
  // With the PostgreSQL store, records are shipped there and today's spend is every replica's.
  const replica = openReplica(governance.store, {
    dir: config.logs.dir,
    instance: config.server.instance,
    warn: (msg) => log.warn(msg),
  });
  replica?.register(metrics);
  const sharedCost = shared ? { counters: shared.spend, claimAlert: shared.claimAlert } : {};
  let cost = createCostControl(config, { env, warn: (msg) => log.warn(msg), emit, ...sharedCost });
  // The same pass gives the rate limiter the last minute's calls back, unless Redis keeps the buckets.
  const rates = shared
    ? undefined
    : { history: new RateHistory(Date.now()), instance: config.server.instance };
  const rebuilt = await cost.rebuild(config.logs.dir, await replica?.rebuildSource(), rates);
  if (rates) governance.restoreRates(rates.history);
  // A reload takes the new pricing and budget; today's spend and open reservations carry over.
  const costFor = (c: Config) => {
    if (c !== config) {
      cost = createCostControl(c, {
        env,
        warn: (msg) => log.warn(msg),
        ledger: cost.ledger,
        emit,
        ...sharedCost,
      });
    }
    return [costStage(cost)];
  };
  metrics.gauge(
    "azmw_cost_today_eur",
    "Settled spend of today (in the configured time zone) in EUR, for the gateway and each project",
    ["scope"],
    () => todaySpend(cost.ledger),
  );
  log.info("Today's spend rebuilt from the request log", { ...rebuilt, spend_today_eur: cost.spendToday() });
  // A Redis that lost today's counters (a restart without persistence) gets them back from the records:
  // at start from the rebuild just made, on each reconnect from a new one.
  if (shared) {
    const seeded = (done: boolean) => {
      if (done) log.info("Today's shared spend rebuilt from the request log", { day: rebuilt.day });
    };
    // With PostgreSQL, every replica's records (not only this machine's files) seed the counters again.
    const source = () => replica ? replica.rebuildSource() : Promise.resolve(undefined);
    shared.client.onReady(() =>
      void source().then((s) => cost.reseed(config.logs.dir, s)).then(seeded).catch(onError)
    );
    await shared.spend.seed(rebuilt.day, rebuilt.spent).then(seeded);
    const freed = await shared.spend.recover();
    if (freed > 0) log.info("Gave back reservations of calls open when this replica last stopped", { freed });
  }
  // Bounded, so SIGTERM exits even when the log thread is stuck (its queue is then lost, and said so).
  const closeAll = async () => {
    // The event queues drain alongside the request log and leave their rest in the dead-letter files.
    const eventsClosed = events.close(SHUTDOWN_DRAIN_MS - 500);
    if (!await settlesWithin(requestLog.close(), SHUTDOWN_DRAIN_MS)) {
      log.warn("The request log did not finish writing in time; exiting without it", {
        drain_ms: SHUTDOWN_DRAIN_MS,
        queued: requestLog.stats().queued,
      });
    }
    logLock.release();
    // The last shipping pass goes before the store's pool closes; what it misses waits in the files.
    const closing = async () => {
      await replica?.close();
      await Promise.all([cost.idle(), governance.close(), onClose(), eventsClosed]);
    };
    await settlesWithin(closing(), SHUTDOWN_CLOSE_MS);
    // After cost.idle(): the last settlements go out before the connection closes.
    if (shared) {
      await settlesWithin(shared.spend.drain(), SHUTDOWN_CLOSE_MS);
      await shared.close();
    }
  };
  const days = new DayClock(config.server.timezone);
  const calls = new RecentCalls({ dayOf: (ms) => days.dayOf(ms) });
  await calls.seed(config.logs.dir, { day: days.dayOf(Date.now()), instance: config.server.instance });
  const live = { config };
  const ui = governance.admin.tokens.admin || governance.admin.tokens.reader
    ? createAdminUi({
      tokens: governance.admin.tokens,
      manageContext: governance.admin.manageContext,
      config: () => live.config,
      calls,
      spendToday: (scope) => cost.spendToday(scope),
      prices: () => cost.prices,
      onError: (err) =>
        log.error("Admin UI request failed", { error: err instanceof Error ? err : String(err) }),
    })
    : undefined;
  if (ui === undefined) adminBanner = "";
  else if (adminBanner === "") {
    adminBanner = "Admin UI: {url}/admin/ (sign in with manage.token or manage.reader_token)\n";
  }
  let gateway;
  try {
    gateway = await startGateway(config, {
      env,
      log,
      metrics,
      // Each generation's callers: governance's resolver; its policy and rate limits, then the budget.
      callers: (c, callerKeys) => {
        const governed = governance.forConfig(c, callerKeys);
        return { authenticate: governed.authenticate, admission: [governed.admission, ...costFor(c)] };
      },
      sinks: [requestLog.sink, calls.sink, events.callSink],
      onClose: closeAll,
      routes: {
        manage: governance.manage,
        admin: ui,
        health: () => {
          const vault = keyVault.status();
          return {
            spend_today_eur: cost.spendToday(),
            ...(vault.secrets.length > 0 ? { key_vault: vault } : {}),
            ...(shared ? { shared: shared.health() } : {}),
            ...replica?.health(),
          };
        },
        ready: () => replica?.ready() ?? true,
      },
    });
  } catch (err) {
    await closeAll();
    if (err instanceof Deno.errors.AddrInUse) {
      io.stderr(`azmw serve: port ${config.server.port} on ${config.server.host} is already in use\n`);
      return 1;
    }
    throw err;
  }
  events.watch({
    breakers: () => gateway.breakers(),
    logDropped: () => requestLog.stats().dropped,
    ...(governance.listAudit && events.wants("azmw.caller.changed") ? { audit: governance.listAudit } : {}),
  }, config.events?.watchIntervalMs ?? EVENTS_DEFAULTS.watchIntervalMs);
  const pidFile = pidPath(dataDir);
  await writePidFile(pidFile, {
    pid: Deno.pid,
    url: gateway.url,
    version: VERSION,
    startedAt: new Date().toISOString(),
    config: config.source,
    logFile: args.logFile ?? null,
  });
  log.info("Gateway started", { url: gateway.url, pid: Deno.pid, version: VERSION, config: config.source });
  io.stdout(
    `azmw ${VERSION} listening on ${gateway.url} (config: ${config.source})\n${banner}` +
      adminBanner.replace("{url}", gateway.url),
  );
  if (!configPath) {
    io.stdout(
      `Try it:\n  curl ${gateway.url}/v1/chat/completions -H "Authorization: Bearer $(cat ${dataDir}/local_key)" \\\n` +
        `    -H "content-type: application/json" -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'\n`,
    );
  }

  onRotation = (ref) => {
    Promise.all([governance.admin.refreshTokens(), requestLog.rekey()])
      .then(() => gateway.reload(gateway.config))
      .then(() => log.info("Key Vault secret rotated; the pipeline now uses the new value", { secret: ref }))
      .catch((err) =>
        log.error("Rotated Key Vault secret not applied; the previous value stays live", { reason: err })
      );
  };
  const stopReload = io.onHangup?.(() => {
    if (!configPath) {
      log.warn("Nothing to reload: the embedded default has no config file");
      return;
    }
    loadConfig(configPath)
      .then(async (next) => {
        next.server.dataDir = dataDir;
        const before = gateway.config;
        // The request log stays where it was opened; a reload does not move it.
        next.logs.dir = config!.logs.dir;
        await gateway.reload(next);
        live.config = next;
        log.info("Config reloaded", { config: configPath });
        events.emit("azmw.config.reloaded", { config: configPath });
        if (
          JSON.stringify([before.events, before.budget?.webhook]) !==
            JSON.stringify([next.events, next.budget?.webhook])
        ) {
          log.warn("Changes of events and budget.webhook take effect on restart");
        }
      })
      .catch((err) => log.error("Config reload refused; the previous config stays live", { reason: err }));
  });

  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    io.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  stopReload?.();
  keyVault.stop();
  log.info("Shutting down", { grace_ms: config.server.shutdownGraceMs });
  const { graceful, ended } = await gateway.shutdown(config.server.shutdownGraceMs);
  await removePidFile(pidFile, Deno.pid);
  if (graceful) log.info("Gateway stopped");
  else {log.warn("Gateway stopped before every open call finished: those ended with a shutdown error", {
      grace_ms: config.server.shutdownGraceMs,
      ended,
    });}
  return 0;
}

/** The request log's own refusal (bodies logged, no sealing key configured), listed with the secrets. */
function missingLogKey(config: Config): { path: string; message: string }[] {
  if (config.logs.keys.length > 0) return [];
  const projects = new Map(config.logs.projects.filter((p) => p.keys.length > 0).map((p) => [p.name, []]));
  const needs = needsGlobalKey(config, { global: [], projects });
  if (needs.length === 0) return [];
  return [{
    path: "logs.keys",
    message: `required while request bodies are logged (${needs.join(", ")}): add a sealing key printed by ` +
      '"azmw logs keygen" (as a secret reference), or set logs.bodies to false to log metadata only',
  }];
}

async function openOutput(path: string) {
  const file = await Deno.open(path, { append: true, create: true, mode: 0o600 });
  const enc = new TextEncoder();
  return {
    write: (text: string) => void file.writeSync(enc.encode(text)),
    close: () => file.close(),
  };
}

/** Reads the embedded default's local key, creating it (mode 0600) on first start. */
export async function localKey(dataDir: string): Promise<{ key: string; created: boolean }> {
  const path = `${dataDir}/local_key`;
  try {
    const key = (await Deno.readTextFile(path)).trim();
    if (key) return { key, created: false };
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = newApiKey().secret;
  await Deno.writeTextFile(path, `${key}\n`, { mode: 0o600 });
  return { key, created: true };
}

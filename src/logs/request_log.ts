/**
 * The request log as the gateway uses it: `openRequestLog(config)` resolves the sealing keys, refuses to
 * start when bodies would be logged without a key, deletes expired days, and starts the background
 * writer; its `sink` is the synchronous, non-blocking consumer the pipeline hands each finished call to.
 */
import { resolveSecret, secretRefs } from "../config/secrets.ts";
import type { Config } from "../config/types.ts";
import type { CallSink } from "../pipeline/record.ts";
import { ConfigError } from "../server/errors.ts";
import { DayClock } from "./day.ts";
import { LogFiles } from "./files.ts";
import { loadConfiguredKeys } from "./key_config.ts";
import { BodyPolicy, needsGlobalKey } from "./policy.ts";
import { Redactor } from "./redact.ts";
import { Retention } from "./retention.ts";
import { RecordSealer } from "./sealer.ts";
import { LogWriter } from "./writer.ts";

/** A running request log. */
export interface RequestLog {
  /** Queues a finished call; synchronous and cheap. */
  sink: CallSink;
  /** Writes every queued record and closes the files. */
  close(): Promise<void>;
  /** Counters: waiting, written and dropped records, bytes written. */
  stats(): { queued: number; written: number; dropped: number; bytes: number };
}

/** I/O of `openRequestLog()`; tests pass fakes. */
export interface RequestLogDeps {
  env?: (n: string) => string | undefined;
  readTextFile?: (p: string) => Promise<string>;
  now?: () => number;
  warn?: (msg: string) => void;
}

function defaultWarn(msg: string): void {
  console.error(JSON.stringify({ level: "warn", msg }));
}

/** Every secret the config references (caller and upstream keys), resolved where possible. */
async function knownSecrets(config: Config, deps: Required<Pick<RequestLogDeps, "env" | "readTextFile">>) {
  const secrets: string[] = [];
  for (const { ref } of secretRefs(config)) {
    try {
      secrets.push(await resolveSecret(ref, deps));
    } catch {
      // An unresolvable secret cannot be used by the gateway either; start-up reports it elsewhere.
    }
  }
  return secrets;
}

/** Opens the request log of `config`; throws `ConfigError` when bodies are on and no key resolves. */
export async function openRequestLog(config: Config, deps: RequestLogDeps = {}): Promise<RequestLog> {
  const io = {
    env: deps.env ?? ((n: string) => Deno.env.get(n)),
    readTextFile: deps.readTextFile ?? ((p: string) => Deno.readTextFile(p)),
  };
  const now = deps.now ?? Date.now;
  const warn = deps.warn ?? defaultWarn;
  const logs = config.logs;
  const keys = await loadConfiguredKeys(config, io);
  const missing = needsGlobalKey(config, keys);
  if (missing.length > 0) {
    throw new ConfigError([{
      path: "logs.keys",
      message: `required while request bodies are logged (${missing.join(", ")}): add a sealing key ` +
        `such as one printed by "azmw logs keygen", or set logs.bodies to false to log metadata only`,
    }], config.source);
  }
  const redactor = new Redactor(logs.redact, { secrets: await knownSecrets(config, io) });
  const days = new DayClock(config.server.timezone);
  await Deno.mkdir(logs.dir, { recursive: true, mode: 0o700 });
  const retention = new Retention(logs.dir, logs.retentionDays, days, now);
  const expire = async () => {
    const deleted = await retention.run();
    if (deleted.length > 0) {
      warn(`Deleted request logs of ${deleted.join(", ")} (retention ${logs.retentionDays} days)`);
    }
  };
  await expire();
  const sealer = new RecordSealer({
    instance: config.server.instance,
    policy: new BodyPolicy(config, keys),
    redactor,
    maxBodyBytes: logs.maxBodyBytes,
    warn,
  });
  const writer = new LogWriter({
    files: new LogFiles(logs.dir, config.server.instance, logs.rotateBytes),
    days,
    line: (rec) => sealer.line(rec),
    queueSize: logs.queueSize,
    queueBytes: logs.queueBytes,
    batchSize: logs.batchSize,
    flushIntervalMs: logs.flushIntervalMs,
    fsyncIntervalMs: logs.fsyncIntervalMs,
    now,
    warn,
    afterFlush: expire,
  });
  return {
    sink: (rec) => writer.push(rec),
    close: () => writer.close(),
    stats: () => writer.stats(),
  };
}

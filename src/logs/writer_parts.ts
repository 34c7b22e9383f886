/**
 * The writer of a request log, built from the config, its resolved sealing keys and the secrets redaction
 * must remove, inside the log thread (`log_worker.ts`); keys cross to it as bytes.
 */
import type { Config } from "../config/types.ts";
import { DayClock } from "./day.ts";
import { LogFiles } from "./files.ts";
import type { ConfiguredKeys } from "./key_config.ts";
import { importLogKey, type LogKey } from "./keyring.ts";
import { BodyPolicy } from "./policy.ts";
import { Redactor } from "./redact.ts";
import { Retention } from "./retention.ts";
import { RecordSealer } from "./sealer.ts";
import { LogWriter } from "./writer.ts";

/** What a writer is built from. */
export interface WriterParts {
  config: Config;
  keys: ConfiguredKeys;
  /** Values redaction always removes (the gateway's own credentials). */
  secrets: string[];
  now: () => number;
  warn: (message: string) => void;
}

/** A retention run: deletes expired days at most once a day; `doneFor()` tells the last day it ran for. */
export interface RetentionRun {
  (): Promise<void>;
  doneFor(): string;
}

/**
 * Deletes expired days of `config`'s request log at most once a day, warning about what it deleted;
 * `doneFor` is a day already cleaned up (by the main thread before the log thread started).
 */
export function retentionRun(
  config: Config,
  now: () => number,
  warn: (m: string) => void,
  doneFor = "",
): RetentionRun {
  const logs = config.logs;
  const days = new DayClock(config.server.timezone);
  const retention = new Retention(logs.dir, logs.retentionDays, days, now, doneFor);
  const run = async () => {
    const deleted = await retention.run();
    if (deleted.length > 0) {
      warn(`Deleted request logs of ${deleted.join(", ")} (retention ${logs.retentionDays} days)`);
    }
  };
  return Object.assign(run, { doneFor: () => retention.doneFor });
}

/** Builds and starts the writer of `parts.config`'s request log; `afterFlush` runs after each flush. */
export function assembleWriter(
  parts: WriterParts,
  afterFlush: () => Promise<void>,
): LogWriter & { rekey(keys: ConfiguredKeys, secrets: string[]): void } {
  const { config, keys, secrets, now, warn } = parts;
  const logs = config.logs;
  const sealer = new RecordSealer({
    instance: config.server.instance,
    policy: new BodyPolicy(config, keys),
    redactor: new Redactor(logs.redact, { secrets }),
    maxBodyBytes: logs.maxBodyBytes,
    warn,
  });
  const writer = new LogWriter({
    files: new LogFiles(logs.dir, config.server.instance, logs.rotateBytes),
    days: new DayClock(config.server.timezone),
    line: (rec) => sealer.line(rec),
    queueSize: logs.queueSize,
    queueBytes: logs.queueBytes,
    batchSize: logs.batchSize,
    fsyncIntervalMs: logs.fsyncIntervalMs,
    now,
    warn,
    afterFlush,
  });
  // Rotated keys (a Key Vault secret refreshed): records sealed from now on use them, and the known
  // secrets redaction removes follow the rotated values.
  return Object.assign(writer, {
    rekey(next: ConfiguredKeys, nextSecrets: string[]) {
      sealer.options.policy = new BodyPolicy(config, next);
      sealer.options.redactor = new Redactor(logs.redact, { secrets: nextSecrets });
    },
  });
}

/** A key as it crosses to the log thread: its id and bytes (`KeyObject`s cannot be cloned). */
export interface KeyBytes {
  kid: string;
  bytes: Uint8Array;
}

/** Configured keys as plain data. */
export interface KeysData {
  global: KeyBytes[];
  projects: [string, KeyBytes[]][];
}

const toBytes = (k: LogKey): KeyBytes => ({ kid: k.kid, bytes: new Uint8Array(k.key.export()) });

/** `keys` as plain data for `postMessage`. */
export function keysToData(keys: ConfiguredKeys): KeysData {
  return {
    global: keys.global.map(toBytes),
    projects: [...keys.projects].map(([name, list]) => [name, list.map(toBytes)]),
  };
}

/** Imports keys sent by `keysToData()`. */
export async function keysFromData(data: KeysData): Promise<ConfiguredKeys> {
  const load = (list: KeyBytes[]) => Promise.all(list.map((k) => importLogKey(k.bytes, k.kid)));
  const projects = new Map<string, LogKey[]>();
  for (const [name, list] of data.projects) projects.set(name, await load(list));
  return { global: await load(data.global), projects };
}

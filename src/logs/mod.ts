/**
 * Request logs: one JSON line per call in `<logs.dir>/YYYYMMDD/requests-<instance>.jsonl` (day in
 * `server.timezone`), plain metadata plus request and response bodies redacted, gzip-compressed and sealed
 * with AES-256-GCM. A bounded queue drained by one background writer keeps disk off the request path.
 *
 * ```ts
 * import { ensureEmbeddedLogKey, openRequestLog } from "./src/logs/mod.ts";
 * const log = await openRequestLog(config); // ConfigError when bodies are on and no key resolves
 * // `azmw serve` hands it every finished call, and closes it (writing what it holds) on shutdown:
 * await startGateway(config, { log: appLog, callers, sinks: [log.sink], onClose: () => log.close() });
 * ```
 *
 * @module
 */
export { openRequestLog, type RequestLog, type RequestLogDeps } from "./request_log.ts";
export { ensureEmbeddedLogKey } from "./embedded.ts";
export { addDays, DayClock, dayRange, isDay, parseDay } from "./day.ts";
export { decodeKeyText, deriveKid, generateKeyText, importLogKey, Keyring, type LogKey } from "./keyring.ts";
export { type ConfiguredKeys, loadConfiguredKeys, openingKeyring } from "./key_config.ts";
export { isLogRecord, type LogRecord, RECORD_VERSION, type UsageJson } from "./record.ts";
export { type FieldContext, LogOpenError, openField, type SealedField, sealField } from "./seal.ts";
export { type OpenedRecord, openRecord } from "./open.ts";
export { dayFiles, type ReadRecord, readRecords } from "./reader.ts";
export { LogFollower } from "./follow.ts";
export { Redactor } from "./redact.ts";
export { deleteOldDays } from "./retention.ts";

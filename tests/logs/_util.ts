/** Builders for request-log tests: call records, configs with logs in a temp dir, key files. */
import { defaultLogsConfig } from "../../src/config/schema.ts";
import type { Config, LogsConfig } from "../../src/config/types.ts";
import { generateKeyText } from "../../src/logs/keyring.ts";
import type { CallRecord } from "../../src/core/record.ts";
import assert from "node:assert/strict";
import { dayFiles, readRecords } from "../../src/logs/reader.ts";
import type { LogRecord } from "../../src/logs/record.ts";
import { azureUpstream, testConfig } from "../_helpers/config.ts";

const enc = new TextEncoder();

/** A finished non-streaming chat call; `over` replaces fields. */
export function callRecord(over: Partial<CallRecord> = {}): CallRecord {
  return {
    id: "rec-1",
    ts: "2025-12-14T10:00:00.000Z",
    caller: { keyId: "dev", project: "demo", tokenId: null },
    dialect: "openai",
    operation: "chat",
    model: "gpt-4o",
    upstream: "azure-test",
    deployment: "gpt-4o-prod",
    status: 200,
    stream: false,
    attempts: 1,
    latencyMs: 812.5,
    ttfbMs: 400,
    usage: {
      promptTokens: 12,
      completionTokens: 5,
      cachedTokens: 0,
      reasoningTokens: 0,
      totalTokens: 17,
      cacheWriteTokens: 0,
    },
    usageSource: "upstream",
    error: null,
    requestBody: enc.encode(
      JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "Hello" }] }),
    ),
    responseBody: enc.encode(JSON.stringify({
      id: "chatcmpl-1",
      choices: [{ index: 0, message: { role: "assistant", content: "Hi there" }, finish_reason: "stop" }],
    })),
    assembled: null,
    ...over,
  };
}

/** A config whose logs go to `dir`, with `logs` fields replaced by `over`. */
export function logConfig(
  dir: string,
  over: Partial<LogsConfig> = {},
  server: Partial<Config["server"]> = {},
) {
  const config = testConfig([azureUpstream("https://example.openai.azure.com")], {
    instance: "gw1",
    ...server,
  });
  config.logs = { ...defaultLogsConfig(), dir, flushIntervalMs: 10, fsyncIntervalMs: 0, ...over };
  return config;
}

/** Fresh key text plus an env lookup that serves it as `env:LOG_KEY` (and more names via `extra`). */
export function keyEnv(extra: Record<string, string> = {}) {
  const key = generateKeyText();
  const vars: Record<string, string> = {
    LOG_KEY: key,
    TEST_UPSTREAM_KEY: "upstream-secret-0123456789",
    ...extra,
  };
  return { key, env: (n: string) => vars[n] };
}

/** Every line of every file under `dir`, recursively, as text. */
export async function allText(dir: string): Promise<string> {
  let out = "";
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    out += e.isDirectory ? await allText(path) : await Deno.readTextFile(path);
  }
  return out;
}

/** The parsed lines of one file. */
export async function jsonLines(path: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

/** Every record of one day's files under `dir`; fails the test on any warning (torn or bad lines). */
export async function readDay(dir: string, day = "20251214"): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of readRecords(await dayFiles(dir, day), (w) => assert.fail(w))) out.push(r.record);
  return out;
}

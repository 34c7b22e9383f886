/**
 * Reading log files: the files of a day in order (per instance, rotated parts in sequence), and their
 * records line by line. A torn last line (a crash mid-write) or any other unreadable line is skipped
 * with a warning, never fatal. Started entries (a stream's trace, closed by its record) are not records
 * and are skipped silently.
 */
import { parseLogFileName } from "./files.ts";
import { isLogRecord, isStartedEntry, type LogRecord } from "./record.ts";

/** What `parseLine()` returns for a started entry. */
export const STARTED_ENTRY = "a started entry";

/** A record with where it was read. */
export interface ReadRecord {
  record: LogRecord;
  file: string;
  line: number;
}

/** The log files of `day` under `dir`, ordered by instance then part; throws `NotFound` without the day. */
export async function dayFiles(
  dir: string,
  day: string,
  options: { instance?: string } = {},
): Promise<string[]> {
  const found: { name: string; instance: string; index: number }[] = [];
  for await (const entry of Deno.readDir(`${dir}/${day}`)) {
    const parsed = entry.isFile ? parseLogFileName(entry.name) : null;
    if (parsed === null) continue;
    if (options.instance !== undefined && parsed.instance !== options.instance) continue;
    found.push({ name: entry.name, ...parsed });
  }
  found.sort((a, b) => a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : a.index - b.index);
  return found.map((f) => `${dir}/${day}/${f.name}`);
}

/** Parses one line; returns the record or why it is not one. */
export function parseLine(text: string): LogRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "not valid JSON";
  }
  if (isLogRecord(value)) return value;
  return isStartedEntry(value) ? STARTED_ENTRY : "not a log record";
}

/** The non-empty lines of a file; the last one is incomplete (`complete: false`) without a final `\n`. */
export async function* fileLines(
  path: string,
): AsyncGenerator<{ text: string; line: number; complete: boolean }> {
  const file = await Deno.open(path, { read: true });
  let rest = "";
  let line = 0;
  try {
    for await (const chunk of file.readable.pipeThrough(new TextDecoderStream())) {
      rest += chunk;
      let start = 0;
      let nl: number;
      while ((nl = rest.indexOf("\n", start)) >= 0) {
        const text = rest.slice(start, nl);
        start = nl + 1;
        line++;
        if (text !== "") yield { text, line, complete: true };
      }
      rest = rest.slice(start);
    }
  } finally {
    try {
      file.close();
    } catch {
      // Already closed by the finished stream.
    }
  }
  if (rest !== "") yield { text: rest, line: line + 1, complete: false };
}

/** Every record of `files`, in order; unreadable lines are reported through `warn` and skipped. */
export async function* readRecords(
  files: string[],
  warn: (message: string) => void,
): AsyncGenerator<ReadRecord> {
  for (const file of files) {
    for await (const { text, line, complete } of fileLines(file)) {
      const parsed = parseLine(text);
      if (typeof parsed !== "string") {
        yield { record: parsed, file, line };
      } else if (parsed === STARTED_ENTRY) {
        continue;
      } else if (!complete) {
        warn(`Skipped a torn last line in ${file} (line ${line}, ${text.length} characters): ${parsed}`);
      } else {
        warn(`Skipped line ${line} of ${file}: ${parsed}`);
      }
    }
  }
}

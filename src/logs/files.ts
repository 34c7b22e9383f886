/**
 * Log files on disk: `<dir>/YYYYMMDD/requests-<instance>.jsonl`, continued in `requests-<instance>.1.jsonl`,
 * `.2.jsonl` … once a file passes the rotation size. Files are only ever appended to; a file left with a
 * torn last line by a crash gets a newline first, so the next record starts on a line of its own.
 */

const NAME = /^requests-([A-Za-z0-9_-]+)(?:\.(\d+))?\.jsonl$/;
const NEWLINE = new Uint8Array([10]);
/** Open days kept at most (today and a straggler from yesterday). */
const OPEN_DAYS = 2;

/** The file name of part `index` of an instance's day log. */
export function logFileName(instance: string, index: number): string {
  return index === 0 ? `requests-${instance}.jsonl` : `requests-${instance}.${index}.jsonl`;
}

/** Instance and part of a log file name, or `null` for any other name. */
export function parseLogFileName(name: string): { instance: string; index: number } | null {
  const m = NAME.exec(name);
  return m ? { instance: m[1]!, index: m[2] === undefined ? 0 : Number(m[2]) } : null;
}

/** Writes all of `bytes` (a write may take only part). */
async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += await file.write(bytes.subarray(done));
}

/**
 * `writeAll()` in the calling thread. The writer runs on a thread of its own, so blocking it for one
 * write(2) is cheaper than a round trip through the runtime's blocking pool, and the record reaches the
 * kernel sooner.
 */
function writeAllSync(file: Deno.FsFile, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += file.writeSync(bytes.subarray(done));
}

interface OpenDay {
  day: string;
  index: number;
  size: number;
  file: Deno.FsFile;
}

/** The append-only files of one instance, across days and rotated parts. */
export class LogFiles {
  readonly #days = new Map<string, OpenDay>();

  /** Writes under `dir` for `instance`; `rotateBytes` 0 never rotates. */
  constructor(readonly dir: string, readonly instance: string, readonly rotateBytes: number) {}

  async #open(day: string, index: number | null): Promise<OpenDay> {
    const folder = `${this.dir}/${day}`;
    await Deno.mkdir(folder, { recursive: true, mode: 0o700 });
    if (index === null) {
      index = 0;
      for await (const entry of Deno.readDir(folder)) {
        const parsed = parseLogFileName(entry.name);
        if (parsed?.instance === this.instance) index = Math.max(index, parsed.index);
      }
    }
    const file = await Deno.open(`${folder}/${logFileName(this.instance, index)}`, {
      append: true,
      create: true,
      read: true,
      mode: 0o600,
    });
    let { size } = await file.stat();
    if (size > 0) {
      const last = new Uint8Array(1);
      await file.seek(size - 1, Deno.SeekMode.Start);
      await file.read(last);
      if (last[0] !== 10) {
        await writeAll(file, NEWLINE);
        size++;
      }
    }
    return { day, index, size, file };
  }

  async #day(day: string): Promise<OpenDay> {
    let open = this.#days.get(day);
    if (open === undefined) {
      open = await this.#open(day, null);
      this.#days.set(day, open);
      const days = [...this.#days.keys()].sort();
      for (const old of days.slice(0, Math.max(0, days.length - OPEN_DAYS))) {
        this.#days.get(old)!.file.close();
        this.#days.delete(old);
      }
    }
    return open;
  }

  /** Appends complete lines (each ending in `\n`) to `day`'s log, rotating as needed; returns bytes written. */
  async append(day: string, lines: Uint8Array[]): Promise<number> {
    let open = await this.#day(day);
    let written = 0;
    let chunk: Uint8Array[] = [];
    let chunkSize = 0;
    const flush = () => {
      if (chunkSize === 0) return;
      writeAllSync(open.file, concat(chunk, chunkSize));
      open.size += chunkSize;
      written += chunkSize;
      chunk = [];
      chunkSize = 0;
    };
    for (const line of lines) {
      const full = this.rotateBytes > 0 && open.size + chunkSize > 0 &&
        open.size + chunkSize + line.length > this.rotateBytes;
      if (full) {
        flush();
        open.file.close();
        open = await this.#open(day, open.index + 1);
        this.#days.set(day, open);
      }
      chunk.push(line);
      chunkSize += line.length;
    }
    flush();
    return written;
  }

  /** Forces written data of every open file to disk. */
  async sync(): Promise<void> {
    for (const open of this.#days.values()) await open.file.syncData();
  }

  /** Closes every open file. */
  close(): void {
    for (const open of this.#days.values()) open.file.close();
    this.#days.clear();
  }
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

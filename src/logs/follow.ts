/**
 * Following log files as they grow (`azmw logs tail -f`): each poll reads the complete lines appended
 * since the last one, across every instance's files and rotated parts, moving on to a new day's folder
 * when it appears. A line still being written is left for the next poll.
 */
import { dayFiles } from "./reader.ts";

/** A complete line found by a poll. */
export interface FollowedLine {
  file: string;
  text: string;
}

/** Reads new complete lines of a day's files on each `poll()`. */
export class LogFollower {
  readonly #offsets = new Map<string, number>();
  readonly #dec = new TextDecoder();

  /** Follows the logs under `dir`, optionally of one instance. */
  constructor(readonly dir: string, readonly options: { instance?: string } = {}) {}

  async #files(day: string): Promise<string[]> {
    try {
      return await dayFiles(this.dir, day, this.options);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return [];
      throw err;
    }
  }

  /** New complete lines of `day`'s files since the last poll, in file order. */
  async poll(day: string): Promise<FollowedLine[]> {
    const lines: FollowedLine[] = [];
    for (const file of await this.#files(day)) {
      const from = this.#offsets.get(file) ?? 0;
      const f = await Deno.open(file, { read: true });
      try {
        const { size } = await f.stat();
        if (size <= from) continue;
        await f.seek(from, Deno.SeekMode.Start);
        const buf = new Uint8Array(size - from);
        let got = 0;
        while (got < buf.length) {
          const n = await f.read(buf.subarray(got));
          if (n === null) break;
          got += n;
        }
        const end = buf.subarray(0, got).lastIndexOf(10);
        if (end < 0) continue;
        this.#offsets.set(file, from + end + 1);
        for (const text of this.#dec.decode(buf.subarray(0, end)).split("\n")) {
          if (text !== "") lines.push({ file, text });
        }
      } finally {
        f.close();
      }
    }
    return lines;
  }
}

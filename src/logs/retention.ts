/**
 * Retention: whole day folders older than the configured number of days are deleted, at start and then
 * once per day (the first writer flush of each new day). Only folders named like a day are touched.
 */
import { addDays, type DayClock, isDay } from "./day.ts";

/** Deletes day folders under `dir` older than `keepDays` days before `today` (today counts); returns them. */
export async function deleteOldDays(dir: string, keepDays: number, today: string): Promise<string[]> {
  if (keepDays <= 0) return [];
  const cutoff = addDays(today, 1 - keepDays);
  const old: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory && isDay(entry.name) && entry.name < cutoff) old.push(entry.name);
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  old.sort();
  for (const day of old) await Deno.remove(`${dir}/${day}`, { recursive: true });
  return old;
}

/** Runs `deleteOldDays()` at most once per day. */
export class Retention {
  #lastDay: string;

  /** Keeps `keepDays` days (0 = keep everything) under `dir`; `doneFor` is a day already cleaned up. */
  constructor(
    readonly dir: string,
    readonly keepDays: number,
    readonly days: DayClock,
    readonly now: () => number,
    doneFor = "",
  ) {
    this.#lastDay = doneFor;
  }

  /** The last day this retention ran for ("" before the first run). */
  get doneFor(): string {
    return this.#lastDay;
  }

  /** Deletes old days unless that was already done today; returns the deleted days. */
  async run(): Promise<string[]> {
    const today = this.days.dayOf(this.now());
    if (today === this.#lastDay) return [];
    this.#lastDay = today;
    return await deleteOldDays(this.dir, this.keepDays, today);
  }
}

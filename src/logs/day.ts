/**
 * Log days: the `YYYYMMDD` folder a record belongs to, in the configured time zone (the same zone that
 * bounds cost days), and validation of day arguments typed by people.
 */

const DAY = /^(\d{4})(\d{2})(\d{2})$/;
const DAY_MS = 86_400_000;

/** Maps a time to its `YYYYMMDD` day in one time zone; caches per minute, since days change on minutes. */
export class DayClock {
  readonly #format: Intl.DateTimeFormat;
  #minute = NaN;
  #day = "";

  /** Creates a day clock for an IANA time zone (`RangeError` when unknown). */
  constructor(timeZone: string) {
    this.#format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hourCycle: "h23",
    });
  }

  /** The `YYYYMMDD` day of `ms` (epoch milliseconds). */
  dayOf(ms: number): string {
    const minute = Math.floor(ms / 60_000);
    if (minute === this.#minute) return this.#day;
    const parts: Record<string, string> = {};
    for (const p of this.#format.formatToParts(ms)) parts[p.type] = p.value;
    this.#minute = minute;
    this.#day = `${parts.year}${parts.month}${parts.day}`;
    return this.#day;
  }
}

/** Whether `s` is a real calendar day written `YYYYMMDD`. */
export function isDay(s: string): boolean {
  const m = DAY.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1970 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Checks a day typed by a person; throws `RangeError` naming the expected form. */
export function parseDay(s: string): string {
  if (isDay(s)) return s;
  const shown = JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s) && isDay(s.replaceAll("-", ""))) {
    throw new RangeError(`Invalid day ${shown}: expected YYYYMMDD, e.g. "${s.replaceAll("-", "")}"`);
  }
  const reason = DAY.test(s) ? "not a calendar day" : 'expected YYYYMMDD, e.g. "20251214"';
  throw new RangeError(`Invalid day ${shown}: ${reason}`);
}

/** The day `n` days after `day` (negative `n` goes back); both `YYYYMMDD`. */
export function addDays(day: string, n: number): string {
  const m = DAY.exec(day);
  if (!m) throw new RangeError(`Invalid day ${JSON.stringify(day)}: expected YYYYMMDD`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + n * DAY_MS;
  return new Date(ms).toISOString().slice(0, 10).replaceAll("-", "");
}

/** Every day from `from` to `to`, both included, oldest first (at most `max` days). */
export function dayRange(from: string, to: string, max = 3660): string[] {
  if (from > to) throw new RangeError(`Invalid day range: "${from}" is after "${to}"`);
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    if (days.length >= max) throw new RangeError(`Invalid day range: more than ${max} days`);
    days.push(d);
  }
  return days;
}

/**
 * When a cost day ends: the first minute whose day (in the configured time zone) differs from the
 * current one, found by bisection over minutes — days change on whole minutes in every real zone, and
 * daylight-saving days last 23 or 25 hours, so no fixed 24 h will do.
 */

const MINUTE = 60_000;
/** The longest day (25 h) plus slack. */
const SEARCH_MINUTES = 26 * 60;

/** The start (epoch ms) of the day after the one `now` is in, for `dayOf` of one time zone. */
export function nextDayStart(now: number, dayOf: (ms: number) => string): number {
  const today = dayOf(now);
  const base = Math.floor(now / MINUTE) * MINUTE;
  let lo = 0; // minutes after base still today
  let hi = SEARCH_MINUTES; // minutes after base already another day
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (dayOf(base + mid * MINUTE) === today) lo = mid;
    else hi = mid;
  }
  return base + hi * MINUTE;
}

/** Whole seconds from `now` until the day ends (at least 1), for `Retry-After`. */
export function secondsUntilDayEnd(now: number, dayOf: (ms: number) => string): number {
  return Math.max(1, Math.ceil((nextDayStart(now, dayOf) - now) / 1000));
}

/** A `dayOf` for an IANA time zone without caching (bisection asks for many different minutes). */
export function dayFunction(timeZone: string): (ms: number) => string {
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });
  return (ms) => {
    const parts: Record<string, string> = {};
    for (const p of format.formatToParts(ms)) parts[p.type] = p.value;
    return `${parts.year}${parts.month}${parts.day}`;
  };
}

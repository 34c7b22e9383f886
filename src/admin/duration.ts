/** Durations as people type them (`90s`, `15m`, `1h30m`, `30d`, `2w`) and back. */

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const PART = /(\d+)(ms|s|m|h|d|w)/gy;

/** Milliseconds of a duration such as `30d` or `1h30m`; `null` when the text is not one. */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (t === "") return null;
  let ms = 0;
  PART.lastIndex = 0;
  let end = 0;
  for (const m of t.matchAll(PART)) {
    if (m.index !== end) return null;
    ms += Number(m[1]) * UNITS[m[2]!]!;
    end = m.index + m[0].length;
  }
  return end === t.length && Number.isSafeInteger(ms) ? ms : null;
}

/** A duration in the largest whole units, e.g. `1d2h`, `15m`, `0s`. */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms / 1000)) * 1000;
  if (rest === 0) return "0s";
  let out = "";
  for (const unit of ["d", "h", "m", "s"]) {
    const size = UNITS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

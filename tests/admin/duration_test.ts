import assert from "node:assert/strict";
import { formatDuration, parseDuration } from "../../src/admin/duration.ts";

Deno.test("parseDuration() reads durations as people type them", () => {
  const cases: [string, number | null][] = [
    ["90s", 90_000],
    ["15m", 900_000],
    ["1h30m", 5_400_000],
    ["30d", 2_592_000_000],
    ["2w", 1_209_600_000],
    ["500ms", 500],
    [" 1h ", 3_600_000],
    ["1h 30m", null],
    ["10", null],
    ["1x", null],
    ["", null],
    ["h1", null],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

Deno.test("formatDuration() writes the largest whole units", () => {
  assert.equal(formatDuration(0), "0s");
  assert.equal(formatDuration(93_784_000), "1d2h3m4s");
  assert.equal(formatDuration(900_000), "15m");
});

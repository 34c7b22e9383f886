import assert from "node:assert/strict";
import { addDays, DayClock, dayRange, isDay, parseDay } from "../../src/logs/day.ts";

Deno.test("DayClock.dayOf() uses the configured time zone", () => {
  const ms = Date.parse("2025-12-14T23:30:00Z");
  assert.equal(new DayClock("UTC").dayOf(ms), "20251214");
  assert.equal(new DayClock("Europe/Berlin").dayOf(ms), "20251215");
  assert.equal(new DayClock("America/New_York").dayOf(ms), "20251214");
  const clock = new DayClock("Europe/Berlin");
  assert.equal(clock.dayOf(Date.parse("2025-12-14T22:59:59Z")), "20251214");
  assert.equal(clock.dayOf(Date.parse("2025-12-14T23:00:00Z")), "20251215");
  assert.throws(() => new DayClock("Mars/Base"), RangeError);
});

Deno.test("parseDay() accepts real YYYYMMDD days only", async (t) => {
  await t.step("good days", () => {
    for (const d of ["20251214", "20240229", "19700101"]) assert.equal(parseDay(d), d);
  });
  const bad: [string, RegExp][] = [
    ["2025-12-14", /^Invalid day "2025-12-14": expected YYYYMMDD, e\.g\. "20251214"$/],
    ["20251301", /^Invalid day "20251301": not a calendar day$/],
    ["20250229", /not a calendar day/],
    ["../../etc", /^Invalid day "\.\.\/\.\.\/etc": expected YYYYMMDD/],
    ["2025121", /expected YYYYMMDD/],
    ["202512145", /expected YYYYMMDD/],
    ["", /expected YYYYMMDD/],
    ["x".repeat(100), /^Invalid day "x{37}\.\.\."/],
  ];
  for (const [input, message] of bad) {
    await t.step(JSON.stringify(input.slice(0, 12)), () => {
      assert.ok(!isDay(input));
      assert.throws(
        () => parseDay(input),
        (err: Error) => err instanceof RangeError && message.test(err.message),
      );
    });
  }
});

Deno.test("addDays() and dayRange() walk calendar days", () => {
  assert.equal(addDays("20251231", 1), "20260101");
  assert.equal(addDays("20240301", -1), "20240229");
  assert.equal(addDays("20251214", -30), "20251114");
  assert.deepEqual(dayRange("20251230", "20260102"), ["20251230", "20251231", "20260101", "20260102"]);
  assert.deepEqual(dayRange("20251214", "20251214"), ["20251214"]);
  assert.throws(() => dayRange("20251215", "20251214"), /is after/);
  assert.throws(() => dayRange("20250101", "20250201", 10), /more than 10 days/);
  assert.throws(() => addDays("x", 1), RangeError);
});

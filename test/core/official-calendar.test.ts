// The compact official calendar (src/core/reference/official-calendar.ts) is chinese-days' own, date for
// date, for every year the package ships; and the codec round-trips and refuses what is not a date.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { decodeCalendarDates, encodeCalendarDates } from "../../src/core/calendar-codec";
import { OFFICIAL_CALENDAR_SOURCE, OFFICIAL_HOLIDAYS, OFFICIAL_WORKDAYS } from "../../src/core/reference/official-calendar";
import { createWorkCalendar } from "../../src/core/work-calendar";

const require = createRequire(import.meta.url);
const source = JSON.parse(readFileSync(require.resolve("chinese-days/dist/chinese-days.json"), "utf8")) as { holidays: Record<string, string>; workdays: Record<string, string> };
const version = (JSON.parse(readFileSync(require.resolve("chinese-days/package.json"), "utf8")) as { version: string }).version;

describe("the official calendar table", () => {
  it("was generated from the installed chinese-days (else: npx tsx scripts/generate-official-calendar.ts)", () => {
    expect(OFFICIAL_CALENDAR_SOURCE).toBe(`chinese-days@${version}`);
  });

  it("holds exactly chinese-days' holidays and make-up working days, every year", () => {
    expect(decodeCalendarDates(OFFICIAL_HOLIDAYS)).toEqual(Object.keys(source.holidays).sort());
    expect(decodeCalendarDates(OFFICIAL_WORKDAYS)).toEqual(Object.keys(source.workdays).sort());
    const years = new Set(Object.keys(source.holidays).map((d) => Number(d.slice(0, 4))));
    expect(years.size).toBeGreaterThan(20);
    const calendar = createWorkCalendar();
    for (const year of years) expect(calendar.hasOfficialYear(year), String(year)).toBe(true);
    expect(calendar.hasOfficialYear(Math.max(...years) + 1)).toBe(false);
  });

  it("answers every day of the shipped years as chinese-days' data does", () => {
    const calendar = createWorkCalendar();
    const first = Date.parse(`${Object.keys(source.holidays).sort()[0]!.slice(0, 4)}-01-01T00:00:00Z`);
    const last = Date.parse(`${Object.keys(source.holidays).sort().at(-1)!.slice(0, 4)}-12-31T00:00:00Z`);
    let checked = 0;
    for (let ms = first; ms <= last; ms += 86_400_000) {
      const date = new Date(ms).toISOString().slice(0, 10);
      const dow = new Date(ms).getUTCDay();
      const expected = date in source.workdays ? true : date in source.holidays ? false : dow !== 0 && dow !== 6;
      if (calendar.isWorkingDay(date) !== expected) throw new Error(`${date}: expected ${expected}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(8000);
  });
});

describe("the calendar codec", () => {
  it("writes runs of days as ranges, across month ends and leap days, and reads them back", () => {
    const dates = ["2024-02-28", "2024-02-29", "2024-03-01", "2024-10-01", "2023-12-31", "2024-01-01", "2024-10-01"];
    const encoded = encodeCalendarDates(dates);
    expect(encoded).toBe("2023:1231;2024:0101,0228-0301,1001");
    expect(decodeCalendarDates(encoded)).toEqual(["2023-12-31", "2024-01-01", "2024-02-28", "2024-02-29", "2024-03-01", "2024-10-01"]);
    expect(decodeCalendarDates("")).toEqual([]);
  });

  it("refuses what is not a calendar date", () => {
    expect(() => encodeCalendarDates(["2023-02-29"])).toThrow(/not a calendar date/);
    expect(() => encodeCalendarDates(["20230101"])).toThrow(/not a calendar date/);
  });
});

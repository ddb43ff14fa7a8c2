// When the weekly digest is due: Monday–Sunday weeks in Shanghai, one key per week whatever the instant,
// 09:00 on the first working day (a holiday Monday moves it, a make-up Saturday counts), the two weeks
// it compares, nothing before 09:00 and nothing for a week of holidays only.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { digestDueAt, digestSchedule, digestWeekOf, firstWorkingDay } from "../../../src/core/statistics/digest-week";
import { createWorkCalendar } from "../../../src/core/work-calendar";

const cal = createWorkCalendar();
const at = (iso: string) => Date.parse(iso);
const WEEK_MS = 7 * 86_400_000;
// 2020-01-01 .. 2030-12-31 in ms.
const instant = fc.integer({ min: at("2020-01-01T00:00:00Z"), max: at("2030-12-31T00:00:00Z") });

describe("digestWeekOf", () => {
  it("runs Monday to Sunday in Shanghai time", () => {
    // Sunday 2026-12-06 23:59 Shanghai is still the week of Monday 2026-11-30; a minute later a new one.
    expect(digestWeekOf(at("2026-12-06T15:59:00Z")).key).toBe("2026-11-30");
    expect(digestWeekOf(at("2026-12-06T16:00:00Z")).key).toBe("2026-12-07");
    const w = digestWeekOf(at("2026-12-09T03:00:00Z"));
    expect(w).toEqual({ key: "2026-12-07", monday: "2026-12-07", sunday: "2026-12-13", startMs: at("2026-12-06T16:00:00Z"), endMs: at("2026-12-13T16:00:00Z") });
  });

  it("gives every instant of a week the same key, and the next week another (property)", () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: WEEK_MS - 1 }), (t, offset) => {
        const week = digestWeekOf(t);
        expect(t).toBeGreaterThanOrEqual(week.startMs);
        expect(t).toBeLessThan(week.endMs);
        const other = week.startMs + offset;
        expect(digestWeekOf(other).key).toBe(week.key);
        expect(digestWeekOf(week.endMs).key).not.toBe(week.key);
        expect(digestWeekOf(week.startMs - 1).key).not.toBe(week.key);
        expect(new Date(`${week.key}T00:00:00Z`).getUTCDay()).toBe(1);
      }),
    );
  });
});

describe("firstWorkingDay", () => {
  it("is Monday in an ordinary week", () => {
    expect(firstWorkingDay(cal, "2026-12-07")).toBe("2026-12-07");
  });

  it("skips the National Day holidays: the week of 2026-10-05 starts on Thursday 2026-10-08", () => {
    expect(cal.isWorkingDay("2026-10-05")).toBe(false);
    expect(firstWorkingDay(cal, "2026-10-05")).toBe("2026-10-08");
  });

  it("is none in a week of holidays only (Spring Festival 2026-02-16 … 22)", () => {
    expect(firstWorkingDay(cal, "2026-02-16")).toBeNull();
    expect(digestSchedule(cal, at("2026-02-18T04:00:00Z"))).toBeNull();
  });

  it("is Tuesday after a Monday holiday (Qingming 2026-04-06)", () => {
    expect(firstWorkingDay(cal, "2026-04-06")).toBe("2026-04-07");
  });
});

describe("digestDueAt", () => {
  it("is nothing before 09:00 Shanghai on Monday, and this week's digest from then on", () => {
    expect(digestDueAt(cal, at("2026-12-07T00:59:59Z"))).toBeNull();
    const due = digestDueAt(cal, at("2026-12-07T01:00:00Z"))!;
    expect(due.week.key).toBe("2026-12-07");
    expect(due.dueAt).toBe(at("2026-12-07T01:00:00Z"));
    expect([due.lastWeek.from, due.lastWeek.to, due.weekBefore.from, due.weekBefore.to]).toEqual(["2026-11-30", "2026-12-06", "2026-11-23", "2026-11-29"]);
    // A tick that missed 09:00 still finds it due later in the week (the caller checks whether it went).
    expect(digestDueAt(cal, at("2026-12-10T08:00:00Z"))?.week.key).toBe("2026-12-07");
  });

  it("waits until 09:00 on the first working day after a holiday Monday", () => {
    expect(digestDueAt(cal, at("2026-10-05T02:00:00Z"))).toBeNull();
    expect(digestDueAt(cal, at("2026-10-08T00:50:00Z"))).toBeNull();
    expect(digestDueAt(cal, at("2026-10-08T01:00:00Z"))?.dueAt).toBe(at("2026-10-08T01:00:00Z"));
  });

  it("is due only at or after 09:00 of the week's first working day, and the weeks it compares end before the week (property)", () => {
    fc.assert(
      fc.property(instant, (t) => {
        const due = digestDueAt(cal, t);
        const schedule = digestSchedule(cal, t);
        if (!schedule) {
          expect(due).toBeNull();
          return;
        }
        expect(due !== null).toBe(t >= schedule.dueAt);
        expect(schedule.dueAt).toBeGreaterThanOrEqual(schedule.week.startMs);
        expect(schedule.dueAt).toBeLessThan(schedule.week.endMs);
        expect(schedule.lastWeek.endMs).toBe(schedule.week.startMs);
        expect(schedule.weekBefore.endMs).toBe(schedule.lastWeek.startMs);
      }),
    );
  });
});

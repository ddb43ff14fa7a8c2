import { describe, expect, it } from "vitest";
import { addWorkingDays, addWorkingHours, createWorkCalendar, workingDaysBetween } from "../../src/core/work-calendar";
import { computeLeadDeadlines, dueEscalations, DEFAULT_DEADLINE_POLICY } from "../../src/core/deadlines";

const cal = createWorkCalendar();
const wh = { start: "09:00", end: "17:30" };
/** Shanghai local time → instant. */
const sh = (local: string) => new Date(`${local}+08:00`);

describe("the official working-day calendar", () => {
  it("knows 2026 holidays and make-up working weekends", () => {
    expect(cal.isWorkingDay("2026-02-14")).toBe(true); // Saturday, make-up day
    expect(cal.isWorkingDay("2026-10-10")).toBe(true); // Saturday, make-up day
    expect(cal.isWorkingDay("2026-01-04")).toBe(true); // Sunday, make-up day
    for (const d of ["2026-10-01", "2026-10-05", "2026-10-07", "2026-02-16", "2026-06-19"]) expect(cal.isWorkingDay(d), d).toBe(false);
    expect(cal.isWorkingDay("2026-11-24")).toBe(true);
    expect(cal.isWorkingDay("2026-11-28")).toBe(false);
  });

  it("takes further years and corrections as data", () => {
    const extended = createWorkCalendar({ holidays: ["2027-01-01", "2027-02-08"], workdays: ["2027-02-06"] });
    expect(extended.isWorkingDay("2027-01-01")).toBe(false);
    expect(extended.isWorkingDay("2027-02-08")).toBe(false);
    expect(extended.isWorkingDay("2027-02-06")).toBe(true);
    expect(cal.isWorkingDay("2027-02-06")).toBe(false);
  });

  it("counts working days from the day after receipt to the end of the last one", () => {
    // Received Wednesday 30 Sep 2026: Oct 1–7 are holidays, Sat Oct 10 is a working day.
    const due = addWorkingDays(cal, sh("2026-09-30T15:00:00"), 3);
    expect(due.toISOString()).toBe(sh("2026-10-10T23:59:59.999").toISOString());
    expect(workingDaysBetween(cal, sh("2026-09-30T15:00:00"), sh("2026-10-12T10:00:00"))).toBe(4);
  });

  it("counts working hours only inside office hours on working days", () => {
    // Friday 16:00 + 4 working hours: 1.5 h on Friday, 2.5 h on Monday from 09:00.
    expect(addWorkingHours(cal, sh("2026-11-20T16:00:00"), 4, wh).toISOString()).toBe(sh("2026-11-23T11:30:00").toISOString());
    // Evening before the National Day week: the next working hour is Thursday 8 October.
    expect(addWorkingHours(cal, sh("2026-09-30T22:00:00"), 1, wh).toISOString()).toBe(sh("2026-10-08T10:00:00").toISOString());
  });
});

describe("lead deadlines and escalation", () => {
  const received = sh("2026-11-20T16:00:00");
  const deadlines = computeLeadDeadlines(cal, wh, received, DEFAULT_DEADLINE_POLICY);

  it("uses the statutory defaults in working days and working hours", () => {
    expect(deadlines.ackBy.toISOString()).toBe(sh("2026-11-23T11:30:00").toISOString());
    expect(deadlines.acceptBy.toISOString()).toBe(sh("2026-12-11T23:59:59.999").toISOString());
    // 2027's holidays are not in the shipped data yet, so 1 Jan 2027 counts as a working day …
    expect(deadlines.finishBy.toISOString()).toBe(sh("2027-01-01T23:59:59.999").toISOString());
    // … until the installation loads the year (org file or calendar_days).
    const with2027 = createWorkCalendar({ holidays: ["2027-01-01"] });
    expect(computeLeadDeadlines(with2027, wh, received).finishBy.toISOString()).toBe(sh("2027-01-04T23:59:59.999").toISOString());
  });

  const base = { deadlines, cal, wh, policy: DEFAULT_DEADLINE_POLICY, sent: { ack: 0, accept: 0, finish: 0 } };

  it("reminds the assignee, then the team lead, then the coordinators", () => {
    expect(dueEscalations({ ...base, state: "new", now: sh("2026-11-23T11:00:00") })).toEqual([]);
    expect(dueEscalations({ ...base, state: "new", now: sh("2026-11-23T11:30:00") }).map((e) => e.step)).toEqual(["assignee"]);
    expect(dueEscalations({ ...base, state: "new", now: sh("2026-11-23T16:00:00"), sent: { ack: 1, accept: 0, finish: 0 } }).map((e) => e.step)).toEqual(["team_lead"]);
  });

  it("catches up once after missed ticks and never repeats a step", () => {
    const late = dueEscalations({ ...base, state: "new", now: sh("2026-11-25T09:00:00") });
    expect(late.map((e) => `${e.kind}:${e.step}`)).toEqual(["ack:assignee", "ack:team_lead", "ack:coordinators"]);
    expect(dueEscalations({ ...base, state: "new", now: sh("2026-11-25T09:00:00"), sent: { ack: 3, accept: 0, finish: 0 } })).toEqual([]);
  });

  it("stops once the lead has moved past the deadline", () => {
    expect(dueEscalations({ ...base, state: "acknowledged", now: sh("2026-11-25T09:00:00") })).toEqual([]);
    const overdueAccept = dueEscalations({ ...base, state: "acknowledged", now: sh("2026-12-14T09:30:00") });
    expect(overdueAccept.map((e) => `${e.kind}:${e.step}`)).toEqual(["accept:assignee"]);
  });
});

// The pure rules of a campaign start: a deadline past at the start counts overdue days from the start
// message (first overdue reminder the next working day, escalation after three whole working days from
// it, across a holiday), nothing at or before the message is ever due, and moving dates before a start.
import { describe, expect, it } from "vitest";
import { campaignFileSchema } from "../../../src/core/campaigns/campaign-file";
import { dueInstant } from "../../../src/core/campaigns/periods";
import { DEFAULT_REMINDER_POLICY } from "../../../src/core/campaigns/reminder-policy";
import { dueReminders, nextReminderAt, overdueBaseDate } from "../../../src/core/campaigns/reminders";
import { dateMoveProblems, movedDueAt, moveCampaignDates, startSchedule } from "../../../src/core/campaigns/start-plan";
import { createWorkCalendar } from "../../../src/core/work-calendar";

const cal = createWorkCalendar();
const policy = DEFAULT_REMINDER_POLICY;
const sh = (local: string) => Date.parse(`${local}+08:00`);
const iso = (t: number) => new Date(t).toISOString();

describe("a deadline already past at the start", () => {
  const due = dueInstant("2026-07-07");

  it("is overdue from the next working day after the start message, escalated after three whole working days from it", () => {
    const s = startSchedule(due, policy, cal, sh("2026-12-07T14:00"), sh("2026-12-07T14:00"));
    expect(s.past).toBe(true);
    expect(s.skipped).toBe(true);
    expect(s.upcoming.map((x) => `${x.key}@${iso(x.sendAt)}`)).toEqual([
      "v1:overdue:2026-12-08@2026-12-08T01:00:00.000Z",
      "v1:overdue:2026-12-09@2026-12-09T01:00:00.000Z",
      "v1:overdue:2026-12-10@2026-12-10T01:00:00.000Z",
      "v1:overdue:2026-12-11@2026-12-11T01:00:00.000Z",
      "v1:escalation@2026-12-11T01:00:00.000Z",
    ]);
  });

  it("skips the National Day holiday when the message goes out just before it", () => {
    // Told on Wednesday 30 September 2026: 1–7 October are holidays, Saturday 10 October a make-up working day.
    const told = sh("2026-09-30T16:00");
    const s = startSchedule(due, policy, cal, told, told);
    expect(s.upcoming.map((x) => x.key)).toEqual(["v1:overdue:2026-10-08", "v1:overdue:2026-10-09", "v1:overdue:2026-10-10", "v1:overdue:2026-10-12", "v1:escalation"]);
  });

  it("never makes a slot due at or before the start message, whatever `after` a tick reads", () => {
    const told = sh("2026-12-07T14:00");
    const view = { dueAt: due, dueVersion: 1, state: "open" as const, received: false, notifiedAt: told };
    expect(dueReminders(view, policy, cal, 0, told).send).toEqual([]);
    expect(dueReminders(view, policy, cal, 0, sh("2026-12-08T08:59")).send).toEqual([]);
    expect(nextReminderAt(view, policy, cal, 0)).toBe(sh("2026-12-08T09:00"));
    expect(overdueBaseDate(view)).toBe("2026-12-07");
    // Without a start message the old rule stands: counted from the deadline.
    expect(overdueBaseDate({ dueAt: due, notifiedAt: null })).toBe("2026-07-07");
  });

  it("a deadline still ahead keeps its own schedule; only lead-up days already past are skipped", () => {
    const s = startSchedule(dueInstant("2026-12-10"), policy, cal, sh("2026-12-07T14:00"), sh("2026-12-07T14:00"));
    expect(s.past).toBe(false);
    expect(s.skipped).toBe(true); // "3 days before" was this morning
    expect(s.upcoming.map((x) => x.key).slice(0, 3)).toEqual(["v1:before:1", "v1:due", "v1:overdue:2026-12-11"]);
    expect(s.upcoming.find((x) => x.kind === "escalation")!.sendAt).toBe(sh("2026-12-16T09:00"));
    expect(startSchedule(dueInstant("2027-03-01"), policy, cal, sh("2026-12-07T14:00"), null).skipped).toBe(false);
  });
});

describe("moving dates before a start", () => {
  const file = campaignFileSchema.parse({
    id: "t",
    name: "测试",
    year: 2026,
    regionCode: "510000",
    issuer: "测试",
    phases: [{ key: "p", name: "阶段", startsOn: "2026-06-01", endsOn: "2026-07-07" }],
    deliverables: [
      { key: "a", title: "甲", unitKinds: ["bureau"], due: "2026-07-07", phase: "p" },
      { key: "b", title: "乙", unitKinds: ["bureau"], due: "2026-10-20T17:00" },
      { key: "m", title: "月报", unitKinds: ["bureau"], recurrence: { every: "month", day: 5 } },
    ],
  });

  it("shifts one-off deadlines (keeping the time) and phases, then applies new deadlines per key", () => {
    const moved = moveCampaignDates(file, { shiftDays: 60, deadlines: { a: "2026-12-21" } });
    expect(moved.deliverables.map((d) => d.due)).toEqual(["2026-12-21", "2026-12-19T17:00", undefined]);
    expect(moved.phases[0]).toMatchObject({ startsOn: "2026-07-31", endsOn: "2026-09-05" });
    expect(movedDueAt(dueInstant("2026-02-05"), true, { shiftDays: 60 })).toBe(dueInstant("2026-04-06"));
    expect(movedDueAt(dueInstant("2026-02-05"), false, { shiftDays: 60 })).toBe(dueInstant("2026-02-05"));
    expect(moveCampaignDates(file, undefined)).toBe(file);
  });

  it("names keys the file lacks and recurring deliverables given a date", () => {
    expect(dateMoveProblems(file, { deadlines: { nope: "2026-12-01", m: "2026-12-01", a: "2026-12-01" } })).toEqual(["no deliverable nope", "m recurs: it moves with the shift only"]);
  });
});

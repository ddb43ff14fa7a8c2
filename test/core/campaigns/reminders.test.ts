// Worked examples of the reminder schedule (2026 official calendar: National Day Oct 1–7, make-up working
// Saturday Oct 10) and the collapse of stale slots when ticks were missed.
import { describe, expect, it } from "vitest";
import { dueInstant } from "../../../src/core/campaigns/periods";
import { DEFAULT_REMINDER_POLICY, resolvePolicy } from "../../../src/core/campaigns/reminder-policy";
import { dueReminders, leadUpSlots, nextReminderAt, type AssignmentView } from "../../../src/core/campaigns/reminders";
import { createWorkCalendar } from "../../../src/core/work-calendar";

const cal = createWorkCalendar();
const p = DEFAULT_REMINDER_POLICY;
const sh = (local: string) => new Date(`${local}+08:00`).getTime();
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const open = (due: string, extra: Partial<AssignmentView> = {}): AssignmentView => ({ dueAt: dueInstant(due), dueVersion: 1, state: "open", received: false, ...extra });
const keysAt = (a: AssignmentView) => leadUpSlots(a, p, cal).map((s) => `${s.key}@${iso(s.sendAt)}`);

describe("lead-up slots", () => {
  it("Oct 20 2026 (Tue): 7 days before is Tue Oct 13; 3 days before (Sat Oct 17) moves to Fri Oct 16", () => {
    expect(keysAt(open("2026-10-20"))).toEqual([
      "v1:before:7@2026-10-13T01:00:00.000Z",
      "v1:before:3@2026-10-16T01:00:00.000Z",
      "v1:before:1@2026-10-19T01:00:00.000Z",
      "v1:due@2026-10-20T01:00:00.000Z",
    ]);
  });

  it("a deadline on Mon Oct 12: 7 days before falls in National Day and goes to Wed Sep 30; 1 day before (Sun) goes to the make-up Saturday Oct 10", () => {
    expect(keysAt(open("2026-10-12"))).toEqual([
      "v1:before:7@2026-09-30T01:00:00.000Z",
      "v1:before:3@2026-10-09T01:00:00.000Z",
      "v1:before:1@2026-10-10T01:00:00.000Z",
      "v1:due@2026-10-12T01:00:00.000Z",
    ]);
  });

  it("three slots landing on Sep 30 keep only the one nearest the deadline (Thu Oct 8)", () => {
    expect(keysAt(open("2026-10-08"))).toEqual(["v1:before:1@2026-09-30T01:00:00.000Z", "v1:due@2026-10-08T01:00:00.000Z"]);
  });

  it("a due day on a Saturday moves the due-day reminder onto Friday, replacing 1 day before", () => {
    expect(keysAt(open("2026-10-31"))).toEqual([
      "v1:before:7@2026-10-23T01:00:00.000Z",
      "v1:before:3@2026-10-28T01:00:00.000Z",
      "v1:due@2026-10-30T01:00:00.000Z",
    ]);
  });

  it("a deadline at 08:00 has no 09:00 due-day reminder; received drops the before slots", () => {
    expect(keysAt(open("2026-10-20T08:00")).map((k) => k.split("@")[0])).toEqual(["v1:before:7", "v1:before:3", "v1:before:1"]);
    expect(keysAt(open("2026-10-20", { received: true, dueVersion: 2 }))).toEqual(["v2:due@2026-10-20T01:00:00.000Z"]);
  });
});

describe("dueReminders", () => {
  const a = open("2026-10-20");

  it("sends each slot at its instant, and names the next one", () => {
    expect(dueReminders(a, p, cal, sh("2026-10-13T08:00:00"), sh("2026-10-13T08:59:59.999"))).toEqual({ send: [], next: sh("2026-10-13T09:00:00") });
    const r = dueReminders(a, p, cal, sh("2026-10-13T08:59:00"), sh("2026-10-13T09:00:00"));
    expect(r.send.map((s) => s.key)).toEqual(["v1:before:7"]);
    expect(r.send[0]).toMatchObject({ kind: "before", offsetDays: 7, sendAt: sh("2026-10-13T09:00:00"), dueAt: sh("2026-10-20T23:59:59.999") });
    expect(iso(r.next)).toBe("2026-10-16T01:00:00.000Z");
  });

  it("collapses stale slots into the latest: after a silent week, only 1 day before goes out on Monday", () => {
    const r = dueReminders(a, p, cal, sh("2026-10-12T00:00:00"), sh("2026-10-19T10:00:00"));
    expect(r.send.map((s) => s.key)).toEqual(["v1:before:1"]);
    expect(iso(r.next)).toBe("2026-10-20T01:00:00.000Z");
  });

  it("after the due day: each working day, escalation on the first working day after 3 whole working days", () => {
    const overdue = ["2026-10-21", "2026-10-22", "2026-10-23", "2026-10-26", "2026-10-27"];
    let after = sh("2026-10-20T09:00:00");
    const sent: string[] = [];
    for (let t = sh("2026-10-20T12:00:00"); t <= sh("2026-10-27T12:00:00"); t += 3 * 3600_000) {
      const r = dueReminders(a, p, cal, after, t);
      sent.push(...r.send.map((s) => `${s.key}@${iso(s.sendAt)}`));
      after = t;
    }
    expect(sent).toEqual([
      ...overdue.slice(0, 3).map((d) => `v1:overdue:${d}@${iso(sh(`${d}T09:00:00`))}`),
      `v1:overdue:2026-10-26@2026-10-26T01:00:00.000Z`,
      `v1:escalation@2026-10-26T01:00:00.000Z`,
      `v1:overdue:2026-10-27@2026-10-27T01:00:00.000Z`,
    ]);
  });

  it("before and due-day slots lapse once the deadline has passed", () => {
    const r = dueReminders(a, p, cal, sh("2026-10-20T08:00:00"), sh("2026-10-21T08:00:00"));
    expect(r.send).toEqual([]);
    expect(iso(r.next)).toBe("2026-10-21T01:00:00.000Z");
  });

  it("overdue reminders follow the calendar across National Day and the make-up Saturday", () => {
    const b = open("2026-09-29");
    const r = dueReminders(b, p, cal, sh("2026-09-30T09:00:00"), sh("2026-10-01T09:00:00"));
    expect(r.send).toEqual([]);
    expect(iso(r.next)).toBe("2026-10-08T01:00:00.000Z");
    // Overdue Sep 30, Oct 8, Oct 9: escalation on the make-up working Saturday Oct 10.
    expect(iso(nextReminderAt(b, p, cal, sh("2026-10-09T09:00:00")))).toBe("2026-10-10T01:00:00.000Z");
    const sat = dueReminders(b, p, cal, sh("2026-10-09T09:00:00"), sh("2026-10-10T09:00:00"));
    expect(sat.send.map((s) => s.key)).toEqual(["v1:overdue:2026-10-10", "v1:escalation"]);
    expect(iso(sat.next)).toBe("2026-10-12T01:00:00.000Z");
  });

  it("nothing for a submitted or accepted assignment; returned behaves as open", () => {
    for (const state of ["submitted", "accepted"] as const) {
      expect(dueReminders({ ...a, state }, p, cal, 0, sh("2026-10-22T10:00:00"))).toEqual({ send: [], next: null });
      expect(nextReminderAt({ ...a, state }, p, cal, 0)).toBeNull();
    }
    expect(dueReminders({ ...a, state: "returned" }, p, cal, sh("2026-10-21T10:00:00"), sh("2026-10-22T10:00:00")).send.map((s) => s.key)).toEqual(["v1:overdue:2026-10-22"]);
  });

  it("policy overrides: no overdue series and no escalation leaves nothing after the due day", () => {
    const quiet = resolvePolicy(p, { overdueEveryWorkingDay: false }, { escalateAfterWorkingDays: null, beforeDays: [1, 5, 5] });
    expect(quiet.beforeDays).toEqual([5, 1]);
    expect(nextReminderAt(a, quiet, cal, sh("2026-10-20T09:00:00"))).toBeNull();
  });
});

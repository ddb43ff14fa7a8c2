// Campaign file validation, the year shift, periods of recurring deliverables, the assignment state
// machine and the missing-holiday-year warning.
import { describe, expect, it } from "vitest";
import { applyAssignmentCommand, isReceived, type AssignmentSnapshot } from "../../../src/core/campaigns/assignment-state";
import { campaignFileSchema, type CampaignFile } from "../../../src/core/campaigns/campaign-file";
import { campaignForYear } from "../../../src/core/campaigns/calendar-shift";
import { missingHolidayYear } from "../../../src/core/campaigns/holiday-data";
import { assignmentPeriods, dueInstant } from "../../../src/core/campaigns/periods";
import { DEFAULT_REMINDER_POLICY, resolvePolicy } from "../../../src/core/campaigns/reminder-policy";
import { createWorkCalendar } from "../../../src/core/work-calendar";

const sh = (local: string) => new Date(`${local}+08:00`).getTime();
const local = (t: number) => new Date(t + 8 * 3600_000).toISOString().slice(0, 23).replace("T", " ");

const base = {
  id: "test-2024",
  name: "Test",
  year: 2024,
  regionCode: "510000",
  issuer: "Issuer",
  phases: [{ key: "p", name: "P", startsOn: "2024-02-01", endsOn: "2024-02-29" }],
  deliverables: [{ key: "d", title: "D", phase: "p", unitKinds: ["bureau"], due: "2024-02-29" }],
};
const issues = (input: unknown) => {
  const r = campaignFileSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("campaign file", () => {
  it("accepts a minimal file and fills the phases default", () => {
    expect(issues(base)).toEqual([]);
    const { phases: _p, ...noPhases } = base;
    expect(campaignFileSchema.parse({ ...noPhases, deliverables: [{ key: "d", title: "D", unitKinds: ["team"], due: "2024-03-01T17:30" }] }).phases).toEqual([]);
  });

  it("refuses what would make a broken campaign", () => {
    const d = base.deliverables[0]!;
    expect(issues({ ...base, deliverables: [{ ...d, due: undefined }] })).toEqual(["deliverables.0.due: a deliverable has exactly one of `due` and `recurrence`"]);
    expect(issues({ ...base, deliverables: [{ ...d, recurrence: { every: "month", day: 5 } }] })).toEqual(["deliverables.0.due: a deliverable has exactly one of `due` and `recurrence`"]);
    expect(issues({ ...base, deliverables: [{ ...d, due: "2023-02-29" }] })[0]).toMatch(/^deliverables\.0\.due: expected YYYY-MM-DD/);
    expect(issues({ ...base, deliverables: [{ ...d, due: "2024-02-28T24:00" }] })[0]).toMatch(/^deliverables\.0\.due:/);
    expect(issues({ ...base, deliverables: [{ ...d, unitKinds: ["hospital"] }] })[0]).toMatch(/^deliverables\.0\.unitKinds\.0:/);
    expect(issues({ ...base, deliverables: [{ ...d, unitKinds: [] }] })[0]).toMatch(/^deliverables\.0\.unitKinds:/);
    expect(issues({ ...base, deliverables: [{ ...d, phase: "nope" }] })).toEqual(["deliverables.0.phase: no phase with key nope"]);
    expect(issues({ ...base, deliverables: [d, d] })).toEqual(["deliverables.1.key: deliverable key d repeats"]);
    expect(issues({ ...base, phases: [{ ...base.phases[0], endsOn: "2024-01-01" }] })).toEqual(["phases.0.endsOn: a phase cannot end before it starts"]);
    expect(issues({ ...base, regionCode: "51" })[0]).toMatch(/^regionCode:/);
    expect(issues({ ...base, colour: "red" })[0]).toMatch(/Unrecognized key/);
    expect(issues({ ...base, reminderPolicy: { at: "9:00" } })[0]).toMatch(/^reminderPolicy\.at:/);
    expect(issues({ ...base, deliverables: [{ ...d, due: undefined, recurrence: { every: "quarter", day: 10, from: "2024-10", to: "2024-03" } }] })[0]).toMatch(/^deliverables\.0\.recurrence\.to:/);
  });
});

describe("campaignForYear", () => {
  const file = campaignFileSchema.parse({
    ...base,
    deliverables: [
      ...base.deliverables,
      { key: "t", title: "T", unitKinds: ["agency"], due: "2024-12-20T17:00" },
      { key: "q", title: "Q", unitKinds: ["bureau"], recurrence: { every: "quarter", day: 10, from: "2024-06", to: "2025-01" } },
    ],
  }) as CampaignFile;

  it("moves every date by the years, keeping month and day (Feb 29 → Feb 28), periods too", () => {
    const f = campaignForYear(file, 2026);
    expect(f.year).toBe(2026);
    expect(f.phases[0]).toMatchObject({ startsOn: "2026-02-01", endsOn: "2026-02-28" });
    expect(f.deliverables.map((d) => d.due ?? d.recurrence)).toEqual(["2026-02-28", "2026-12-20T17:00", { every: "quarter", day: 10, from: "2026-06", to: "2027-01" }]);
    expect(campaignForYear(file, 2028).deliverables[0]!.due).toBe("2028-02-29");
    expect(campaignFileSchema.safeParse(f).success).toBe(true);
    // The template itself is left as it was.
    expect(file.year).toBe(2024);
  });
});

describe("periods", () => {
  it("a date alone is due at the end of that day in Shanghai; a date-time at that minute", () => {
    expect(dueInstant("2026-10-20")).toBe(sh("2026-10-20T23:59:59.999"));
    expect(dueInstant("2026-10-20T17:00")).toBe(sh("2026-10-20T17:00:00"));
    expect(assignmentPeriods({ due: "2026-10-20" }, 2026)).toEqual([{ period: "", dueAt: sh("2026-10-20T23:59:59.999") }]);
  });

  it("monthly by day N of the next month, clamped to the month's end, over the campaign year by default", () => {
    const months = assignmentPeriods({ recurrence: { every: "month", day: 31 } }, 2026);
    expect(months).toHaveLength(12);
    expect(months.slice(0, 2).map((p) => `${p.period} ${local(p.dueAt)}`)).toEqual(["2026-01 2026-02-28 23:59:59.999", "2026-02 2026-03-31 23:59:59.999"]);
    expect(`${months[11]!.period} ${local(months[11]!.dueAt)}`).toBe("2026-12 2027-01-31 23:59:59.999");
  });

  it("quarterly by day N of the month after the quarter; from/to pick the quarters containing them", () => {
    const q = assignmentPeriods({ recurrence: { every: "quarter", day: 15, from: "2026-02", to: "2026-07" } }, 2026);
    expect(q.map((p) => `${p.period} ${local(p.dueAt)}`)).toEqual(["2026-Q1 2026-04-15 23:59:59.999", "2026-Q2 2026-07-15 23:59:59.999", "2026-Q3 2026-10-15 23:59:59.999"]);
    expect(assignmentPeriods({ recurrence: { every: "quarter", day: 10 } }, 2026).map((p) => p.period)).toEqual(["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]);
  });
});

describe("resolvePolicy", () => {
  it("layers deliverable over campaign over defaults", () => {
    expect(resolvePolicy(DEFAULT_REMINDER_POLICY)).toEqual(DEFAULT_REMINDER_POLICY);
    expect(resolvePolicy(DEFAULT_REMINDER_POLICY, { at: "08:30", beforeDays: [3] }, { beforeDays: [14, 2, 14] })).toEqual({
      ...DEFAULT_REMINDER_POLICY,
      at: "08:30",
      beforeDays: [14, 2],
    });
    expect(() => resolvePolicy(DEFAULT_REMINDER_POLICY, { at: "25:00" })).toThrow();
  });
});

describe("applyAssignmentCommand", () => {
  const now = sh("2026-10-15T10:00:00");
  const a: AssignmentSnapshot = { state: "open", dueAt: sh("2026-10-20T23:59:59.999"), dueVersion: 1, receivedAt: null, receivedVersion: null, submittedAt: null, reviewedAt: null };
  const run = (s: AssignmentSnapshot, ...cmds: Parameters<typeof applyAssignmentCommand>[1][]) =>
    cmds.reduce<{ s: AssignmentSnapshot; log: string[] }>(
      (acc, c) => {
        const r = applyAssignmentCommand(acc.s, c, now);
        return r.ok ? { s: r.next, log: [...acc.log, r.action] } : { s: acc.s, log: [...acc.log, `refused:${r.refusal}`] };
      },
      { s, log: [] },
    );

  it("receive, submit, return, submit again, accept", () => {
    const r = run(a, { type: "receive" }, { type: "receive" }, { type: "submit" }, { type: "receive" }, { type: "return", reason: " " }, { type: "return", reason: "missing table" }, { type: "submit" }, { type: "accept" }, { type: "submit" }, { type: "accept" });
    expect(r.log).toEqual([
      "assignment.received",
      "refused:already_received",
      "assignment.submitted",
      "refused:already_submitted",
      "refused:reason_required",
      "assignment.returned",
      "assignment.submitted",
      "assignment.accepted",
      "refused:already_accepted",
      "refused:already_accepted",
    ]);
    expect(r.s).toMatchObject({ state: "accepted", reviewedAt: now, submittedAt: now, receivedVersion: 1 });
  });

  it("accept and return need a pending submission", () => {
    expect(run(a, { type: "accept" }, { type: "return", reason: "x" }).log).toEqual(["refused:not_submitted", "refused:not_submitted"]);
  });

  it("a moved deadline bumps dueVersion and asks for acknowledgement again", () => {
    const received = run(a, { type: "receive" }).s;
    expect(isReceived(received)).toBe(true);
    const moved = applyAssignmentCommand(received, { type: "move", dueAt: sh("2026-10-12T23:59:59.999") }, sh("2026-10-01T10:00:00"));
    expect(moved).toMatchObject({ ok: true, action: "deliverable.moved", next: { dueVersion: 2, receivedAt: null, receivedVersion: null, dueAt: sh("2026-10-12T23:59:59.999") } });
    if (moved.ok) expect(isReceived(moved.next)).toBe(false);
  });

  it("move and extend refuse unusable deadlines; extend only later and not once accepted", () => {
    const later = sh("2026-10-30T23:59:59.999");
    expect(run(a, { type: "move", dueAt: a.dueAt }, { type: "move", dueAt: now - 1 }, { type: "move", dueAt: Number.NaN }, { type: "extend", dueAt: sh("2026-10-18T12:00:00") }).log).toEqual([
      "refused:same_deadline",
      "refused:deadline_in_past",
      "refused:invalid_deadline",
      "refused:not_later",
    ]);
    const r = run(a, { type: "extend", dueAt: later });
    expect(r.log).toEqual(["assignment.extended"]);
    expect(r.s).toMatchObject({ dueAt: later, dueVersion: 2 });
    const accepted: AssignmentSnapshot = { ...a, state: "accepted" };
    expect(run(accepted, { type: "extend", dueAt: later }, { type: "move", dueAt: later }).log).toEqual(["refused:already_accepted", "deliverable.moved"]);
  });
});

describe("missingHolidayYear", () => {
  const cal = createWorkCalendar();

  it("warns from December 1 (Shanghai) while next year's data is missing, until it is loaded", () => {
    expect(cal.hasOfficialYear(2026)).toBe(true);
    expect(cal.hasOfficialYear(2027)).toBe(false);
    expect(missingHolidayYear(cal, sh("2026-11-30T23:59:59.999"))).toBeNull();
    expect(missingHolidayYear(cal, sh("2026-12-01T00:00:00"))).toBe(2027);
    // 16:00 UTC on Nov 30 is already December 1 in Shanghai.
    expect(missingHolidayYear(cal, Date.parse("2026-11-30T16:00:00Z"))).toBe(2027);
    expect(missingHolidayYear(createWorkCalendar({ holidays: ["2027-01-01"] }), sh("2026-12-15T09:00:00"))).toBeNull();
  });

  it("keeps warning in the new year if the year is still missing", () => {
    expect(missingHolidayYear(cal, sh("2027-03-01T09:00:00"))).toBe(2027);
    expect(missingHolidayYear(createWorkCalendar({ workdays: ["2027-02-06"] }), sh("2027-03-01T09:00:00"))).toBeNull();
  });
});

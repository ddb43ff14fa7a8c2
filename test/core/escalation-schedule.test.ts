// The escalation schedule stored on each lead (next_escalation_at): when the job must look next, with
// `now` passed in; catch-up after missed ticks; working hours, weekends and holidays.
import { describe, expect, it } from "vitest";
import { computeLeadDeadlines, DEFAULT_DEADLINE_POLICY, nextEscalationAt, planEscalation, type EscalationState } from "../../src/core/deadlines";
import type { LeadState } from "../../src/core/lead-lifecycle";
import { createWorkCalendar } from "../../src/core/work-calendar";

const cal = createWorkCalendar();
const wh = { start: "09:00", end: "17:30" };
const policy = DEFAULT_DEADLINE_POLICY;
const sh = (local: string) => new Date(`${local}+08:00`);
const none: EscalationState = { ack: 0, accept: 0, finish: 0 };

describe("nextEscalationAt", () => {
  // Monday 23 Nov 2026, 10:00: acknowledge by 14:00 the same day.
  const deadlines = computeLeadDeadlines(cal, wh, sh("2026-11-23T10:00:00"), policy);
  const at = (state: LeadState, sent: EscalationState = none, c = cal) => nextEscalationAt({ state, deadlines, sent, cal: c, wh, policy })?.toISOString() ?? null;

  it("is the acknowledgement deadline for a new lead", () => {
    expect(deadlines.ackBy.toISOString()).toBe(sh("2026-11-23T14:00:00").toISOString());
    expect(at("new")).toBe(deadlines.ackBy.toISOString());
  });

  it("moves one escalation step (4 working hours) on after each step, across the night", () => {
    expect(at("new", { ack: 1, accept: 0, finish: 0 })).toBe(sh("2026-11-24T09:30:00").toISOString());
    expect(at("new", { ack: 2, accept: 0, finish: 0 })).toBe(sh("2026-11-24T13:30:00").toISOString());
    // Every ack step sent: the next thing that can fall due is the acceptance deadline.
    expect(at("new", { ack: 3, accept: 0, finish: 0 })).toBe(deadlines.acceptBy.toISOString());
  });

  it("skips weekends and official holidays (National Day week 2026)", () => {
    const d = computeLeadDeadlines(cal, wh, sh("2026-09-30T15:00:00"), policy);
    expect(d.ackBy.toISOString()).toBe(sh("2026-10-08T10:30:00").toISOString());
    expect(nextEscalationAt({ state: "new", deadlines: d, sent: { ack: 1, accept: 0, finish: 0 }, cal, wh, policy })?.toISOString()).toBe(sh("2026-10-08T14:30:00").toISOString());
    // Friday 17:00 + one step: half an hour on Friday, the rest on Monday.
    const fri = computeLeadDeadlines(cal, wh, sh("2026-11-20T13:00:00"), policy);
    expect(fri.ackBy.toISOString()).toBe(sh("2026-11-20T17:00:00").toISOString());
    expect(nextEscalationAt({ state: "new", deadlines: fri, sent: { ack: 1, accept: 0, finish: 0 }, cal, wh, policy })?.toISOString()).toBe(sh("2026-11-23T12:30:00").toISOString());
  });

  it("follows the installation's own holidays", () => {
    const withHoliday = createWorkCalendar({ holidays: ["2026-11-24"] });
    expect(at("new", { ack: 1, accept: 0, finish: 0 }, withHoliday)).toBe(sh("2026-11-25T09:30:00").toISOString());
  });

  it("ignores deadlines already met and is null once nothing can fall due", () => {
    expect(at("acknowledged")).toBe(deadlines.acceptBy.toISOString());
    expect(at("accepted")).toBe(deadlines.finishBy.toISOString());
    expect(at("investigating", { ack: 0, accept: 0, finish: 3 })).toBeNull();
    expect(at("concluded")).toBeNull();
    expect(at("not_accepted")).toBeNull();
  });
});

describe("planEscalation over a sequence of ticks", () => {
  const received = sh("2026-11-20T16:00:00");
  const deadlines = computeLeadDeadlines(cal, wh, received, policy);

  /** Runs ticks at the given instants on a lead that nobody touches; returns what was sent when. */
  function run(ticks: Date[]) {
    let sent = none;
    let next: Date | null = nextEscalationAt({ state: "new", deadlines, sent, cal, wh, policy });
    const log: { key: string; at: Date; dueAt: Date }[] = [];
    for (const now of ticks) {
      // The job only looks at leads whose stored time has come.
      if (!next || next.getTime() > now.getTime()) continue;
      const plan = planEscalation({ state: "new", deadlines, sent, now, cal, wh, policy });
      for (const step of plan.due) log.push({ key: `${step.kind}:${step.stepIndex}`, at: now, dueAt: step.dueAt });
      sent = plan.sent;
      next = plan.nextAt;
      if (next) expect(next.getTime()).toBeGreaterThan(now.getTime());
    }
    return { log, sent, next };
  }
  const every = (from: Date, to: Date, stepMs: number) => Array.from({ length: Math.floor((to.getTime() - from.getTime()) / stepMs) + 1 }, (_, i) => new Date(from.getTime() + i * stepMs));
  const end = new Date(deadlines.finishBy.getTime() + 10 * 86_400_000);

  it("sends each step once, at the first tick at or after its time", () => {
    const { log, next } = run(every(received, end, 5 * 60_000));
    expect(log.map((l) => l.key)).toEqual(["ack:0", "ack:1", "ack:2", "accept:0", "accept:1", "accept:2", "finish:0", "finish:1", "finish:2"]);
    for (const l of log) {
      expect(l.at.getTime()).toBeGreaterThanOrEqual(l.dueAt.getTime());
      expect(l.at.getTime() - l.dueAt.getTime()).toBeLessThan(5 * 60_000);
    }
    expect(next).toBeNull();
  });

  it("catches up after missed ticks: the same steps, in order, none twice", () => {
    const regular = run(every(received, end, 5 * 60_000)).log.map((l) => l.key);
    // The scheduler was down for four days, then ticked every seven hours.
    const sparse = run([received, ...every(new Date(received.getTime() + 4 * 86_400_000), end, 7 * 3600_000)]);
    expect(sparse.log.map((l) => l.key)).toEqual(regular);
    const firstLate = sparse.log.filter((l) => l.key.startsWith("ack:"));
    expect(new Set(firstLate.map((l) => l.at.getTime())).size).toBe(1);
    // One very late tick sends everything that came due, and nothing is left.
    const once = run([end]);
    expect(once.log.map((l) => l.key)).toEqual(regular);
    expect(once.next).toBeNull();
  });

  it("a repeated tick at the same instant sends nothing more", () => {
    const now = sh("2026-11-24T12:00:00");
    const first = planEscalation({ state: "new", deadlines, sent: none, now, cal, wh, policy });
    expect(first.due.length).toBeGreaterThan(0);
    const again = planEscalation({ state: "new", deadlines, sent: first.sent, now, cal, wh, policy });
    expect(again.due).toEqual([]);
    expect(again.nextAt).toEqual(first.nextAt);
  });
});

// Property tests of the reminder schedule: for any due date, policy and sequence of ticks (skipped,
// repeated, out of order, reading a stale next_reminder_at), the slots sent are unique, on working days at
// the policy's local time, never a `before` slot on or after the due day, never a slot whose later
// neighbour's time had come; and with a tick at every slot's instant, every slot goes out.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, instantAt, localDateOf } from "../../../src/core/campaigns/local-time";
import { dueInstant } from "../../../src/core/campaigns/periods";
import type { ReminderPolicy } from "../../../src/core/campaigns/reminder-policy";
import { dueReminders, nextReminderAt, type AssignmentView, type ReminderSlot } from "../../../src/core/campaigns/reminders";
import { createWorkCalendar } from "../../../src/core/work-calendar";

const cal = createWorkCalendar();
const DAY = 86_400_000;
// How far past the deadline the schedule is followed: an escalation after up to 5 working days can fall
// 17 calendar days after it when the National Day week lies between (due 2026-09-22, five working
// days: escalated 2026-10-08), so 16 days missed it; a month covers every holiday run in the calendar.
const HORIZON = 30 * DAY;
const TIMES = ["09:00", "08:30", "00:00", "23:59", "17:45"];

const dueArb = fc
  .tuple(fc.integer({ min: 0, max: 3 * 365 }), fc.option(fc.constantFrom(...TIMES, "12:00", "08:00"), { nil: undefined }))
  .map(([d, time]) => addDays("2024-06-01", d) + (time ? `T${time}` : ""));

const policyArb: fc.Arbitrary<ReminderPolicy> = fc.record({
  beforeDays: fc.uniqueArray(fc.integer({ min: 1, max: 14 }), { maxLength: 5 }).map((a) => a.sort((x, y) => y - x)),
  onDueDay: fc.boolean(),
  at: fc.constantFrom(...TIMES),
  overdueEveryWorkingDay: fc.boolean(),
  escalateAfterWorkingDays: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
});

const assignmentArb = fc.record({
  due: dueArb,
  dueVersion: fc.integer({ min: 1, max: 4 }),
  state: fc.constantFrom("open" as const, "returned" as const),
  received: fc.boolean(),
});

/** The whole schedule up to `until`, by following nextReminderAt and asking dueReminders at each instant. */
function fullSchedule(a: AssignmentView, p: ReminderPolicy, from: number, until: number): ReminderSlot[] {
  const out: ReminderSlot[] = [];
  let t = nextReminderAt(a, p, cal, from);
  let prev = from;
  while (t !== null && t <= until) {
    expect(t).toBeGreaterThan(prev);
    const r = dueReminders(a, p, cal, t - 1, t);
    // At a slot's own instant nothing is stale: everything due then is returned.
    expect(r.send.length).toBeGreaterThan(0);
    out.push(...r.send);
    prev = t;
    t = r.next;
  }
  return out;
}

interface Sent extends ReminderSlot {
  tick: number;
}

function simulate(a: AssignmentView, p: ReminderPolicy, ticks: number[], lags: number[], createdAt: number): Sent[] {
  const history = [nextReminderAt(a, p, cal, createdAt)];
  const claimed = new Set<string>();
  const sent: Sent[] = [];
  ticks.forEach((t, i) => {
    const next = history[Math.max(0, history.length - 1 - (lags[i] ?? 0))]!;
    if (next === null || next > t) return;
    const r = dueReminders(a, p, cal, next - 1, t);
    for (const s of r.send) {
      // dueReminders itself never returns a slot outside (after, now].
      expect(s.sendAt).toBeGreaterThan(next - 1);
      expect(s.sendAt).toBeLessThanOrEqual(t);
      if (claimed.has(s.key)) continue;
      claimed.add(s.key);
      sent.push({ ...s, tick: t });
    }
    expect(r.next === null || r.next > t).toBe(true);
    history.push(r.next);
  });
  return sent;
}

describe("reminder schedule properties", () => {
  it("for any due date, policy and ticks: unique, on working days at `at`, no stale or misplaced slot", () => {
    fc.assert(
      fc.property(
        assignmentArb,
        policyArb,
        fc.array(fc.integer({ min: -20 * 24, max: 15 * 24 }), { maxLength: 60 }),
        fc.array(fc.nat(3), { maxLength: 60 }),
        fc.boolean(),
        ({ due, ...rest }, p, hourOffsets, lags, inOrder) => {
          const a: AssignmentView = { ...rest, dueAt: dueInstant(due) };
          const createdAt = a.dueAt - 30 * DAY;
          const ticks = hourOffsets.map((h) => a.dueAt + h * 3600_000 + (h % 7) * 60_000);
          ticks.push(...ticks.slice(0, 5)); // repeats
          if (inOrder) ticks.sort((x, y) => x - y);
          const sent = simulate(a, p, ticks, lags, createdAt);
          const schedule = fullSchedule(a, p, createdAt, a.dueAt + HORIZON);
          const scheduleKeys = new Map(schedule.map((s) => [s.key, s]));
          const dueDate = localDateOf(a.dueAt);

          expect(new Set(sent.map((s) => s.key)).size).toBe(sent.length);
          expect(scheduleKeys.size).toBe(schedule.length);
          // Reminders (not escalations) of the schedule: at most one per local day.
          const reminderDays = schedule.filter((s) => s.kind !== "escalation").map((s) => localDateOf(s.sendAt));
          expect(new Set(reminderDays).size).toBe(reminderDays.length);

          for (const s of [...sent, ...schedule]) {
            const day = localDateOf(s.sendAt);
            expect(cal.isWorkingDay(day)).toBe(true);
            expect(s.sendAt).toBe(instantAt(day, p.at));
            expect(s.key.startsWith(`v${a.dueVersion}:`)).toBe(true);
            expect(s.dueAt).toBe(a.dueAt);
            if (s.kind === "before") {
              expect(day < dueDate).toBe(true);
              expect(s.sendAt).toBeLessThan(a.dueAt);
              expect(a.received).toBe(false);
              expect(s.key).toBe(`v${a.dueVersion}:before:${s.offsetDays}`);
              expect(p.beforeDays).toContain(s.offsetDays);
            }
            if (s.kind === "due") expect(s.sendAt).toBeLessThan(a.dueAt);
            if (s.kind === "overdue") expect(day > dueDate).toBe(true);
          }
          for (const s of sent) {
            // Every slot sent is one of the schedule's, at the schedule's instant.
            expect(scheduleKeys.get(s.key)?.sendAt).toBe(s.sendAt);
            if (s.kind === "escalation") continue;
            // Before and due-day slots are not sent once the deadline has passed …
            if (s.kind === "before" || s.kind === "due") expect(s.tick).toBeLessThan(a.dueAt);
            // … and no reminder is sent once a later reminder slot's time had come (stale ones collapse).
            for (const x of schedule) if (x.kind !== "escalation" && x.sendAt > s.sendAt) expect(x.sendAt).toBeGreaterThan(s.tick);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("follows an escalation across the National Day week (found by the property below with a 16-day horizon)", () => {
    const a: AssignmentView = { dueAt: dueInstant("2026-09-22T09:00"), dueVersion: 1, state: "open", received: false };
    const p: ReminderPolicy = { beforeDays: [], onDueDay: false, at: "23:59", overdueEveryWorkingDay: false, escalateAfterWorkingDays: 5 };
    const schedule = fullSchedule(a, p, a.dueAt - 30 * DAY, a.dueAt + HORIZON);
    expect(schedule.map((s) => [s.kind, localDateOf(s.sendAt)])).toEqual([["escalation", "2026-10-08"]]);
  });

  it("with a tick at every slot's instant, every slot goes out exactly at it", () => {
    fc.assert(
      fc.property(assignmentArb, policyArb, ({ due, ...rest }, p) => {
        const a: AssignmentView = { ...rest, dueAt: dueInstant(due) };
        const createdAt = a.dueAt - 30 * DAY;
        const schedule = fullSchedule(a, p, createdAt, a.dueAt + HORIZON);
        const ticks = [...new Set(schedule.map((s) => s.sendAt))];
        const sent = simulate(a, p, ticks, [], createdAt);
        expect(sent.map((s) => [s.key, s.tick])).toEqual(schedule.map((s) => [s.key, s.sendAt]));
        // Lead-up slots go out unless received, or displaced by the due-day slot on the same day.
        if (!a.received && p.beforeDays.length > 0 && !p.onDueDay) expect(sent.some((s) => s.kind === "before")).toBe(true);
        const dueDate = localDateOf(a.dueAt);
        if (p.onDueDay && (instantAt(dueDate, p.at) < a.dueAt || !cal.isWorkingDay(dueDate)))
          expect(sent.filter((s) => s.kind === "due")).toHaveLength(1);
        if (p.escalateAfterWorkingDays !== null) expect(sent.filter((s) => s.kind === "escalation")).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });

  it("nothing is ever due for a submitted or accepted assignment", () => {
    fc.assert(
      fc.property(dueArb, policyArb, fc.integer({ min: -30 * 24, max: 30 * 24 }), (due, p, h) => {
        for (const state of ["submitted", "accepted"] as const) {
          const a: AssignmentView = { dueAt: dueInstant(due), dueVersion: 1, state, received: false };
          expect(dueReminders(a, p, cal, 0, a.dueAt + h * 3600_000)).toEqual({ send: [], next: null });
        }
      }),
    );
  });
});

// The reminder schedule of one assignment, pure (`now` passed in): before / due-day / overdue slots and
// the one escalation, on working days at the policy's local time, with stale slots collapsing into the
// latest one. Slot keys are what the `reminder_slots` table makes unique, so a slot goes out once.
import type { WorkCalendar } from "../work-calendar";
import { addDays, instantAt, localDateOf, workingDayAfter, workingDayOnOrBefore } from "./local-time";
import type { ReminderPolicy } from "./reminder-policy";

export type ReminderKind = "before" | "due" | "overdue" | "escalation";

export interface ReminderSlot {
  /** `v<dueVersion>:before:<N>`, `v<n>:due`, `v<n>:overdue:<YYYY-MM-DD>`, `v<n>:escalation`. */
  key: string;
  kind: ReminderKind;
  /** Days before the due day (kind `before` only). */
  offsetDays?: number;
  sendAt: number;
  dueAt: number;
}

export interface AssignmentView {
  dueAt: number;
  dueVersion: number;
  state: "open" | "submitted" | "accepted" | "returned";
  /** Acknowledged for the current dueVersion. */
  received: boolean;
  /**
   * When the unit was told of a deadline already past (the campaign's start message), else null: overdue
   * days and the escalation then count from that day, not from the deadline (a unit is never "three
   * working days overdue" on a duty it heard of this morning).
   */
  notifiedAt?: number | null;
}

const active = (a: AssignmentView) => a.state === "open" || a.state === "returned";

/** The local day overdue counting starts after: the due day, or the day of the start message if later. */
export function overdueBaseDate(a: Pick<AssignmentView, "dueAt" | "notifiedAt">): string {
  const dueDate = localDateOf(a.dueAt);
  if (a.notifiedAt == null || a.notifiedAt <= a.dueAt) return dueDate;
  const told = localDateOf(a.notifiedAt);
  return told > dueDate ? told : dueDate;
}

/**
 * The before and due-day slots (a finite list, by time). A slot whose day is not a working day moves to the
 * previous working day; when two land on one day the one nearer the deadline is kept. Slots at or after
 * the deadline are dropped (a deadline at 08:00 has no 09:00 due-day reminder). `received` drops `before`.
 */
export function leadUpSlots(a: AssignmentView, policy: ReminderPolicy, cal: WorkCalendar): ReminderSlot[] {
  const dueDate = localDateOf(a.dueAt);
  const v = `v${a.dueVersion}`;
  const byDay = new Map<string, { slot: ReminderSlot; offset: number }>();
  const consider = (nominal: string, offset: number, slot: Omit<ReminderSlot, "sendAt" | "dueAt">) => {
    const day = workingDayOnOrBefore(cal, nominal);
    if (!day) return;
    const sendAt = instantAt(day, policy.at);
    if (sendAt >= a.dueAt) return;
    const held = byDay.get(day);
    if (!held || offset < held.offset) byDay.set(day, { slot: { ...slot, sendAt, dueAt: a.dueAt }, offset });
  };
  if (!a.received) {
    for (const n of policy.beforeDays) consider(addDays(dueDate, -n), n, { key: `${v}:before:${n}`, kind: "before", offsetDays: n });
  }
  if (policy.onDueDay) consider(dueDate, 0, { key: `${v}:due`, kind: "due" });
  return [...byDay.values()].map((e) => e.slot).sort((x, y) => x.sendAt - y.sendAt);
}

function overdueSlot(a: AssignmentView, policy: ReminderPolicy, day: string): ReminderSlot {
  return { key: `v${a.dueVersion}:overdue:${day}`, kind: "overdue", sendAt: instantAt(day, policy.at), dueAt: a.dueAt };
}

/** The escalation slot: at `at` on the first working day after `escalateAfterWorkingDays` whole working days overdue. */
export function escalationSlot(a: AssignmentView, policy: ReminderPolicy, cal: WorkCalendar): ReminderSlot | null {
  if (policy.escalateAfterWorkingDays === null) return null;
  let day: string | null = overdueBaseDate(a);
  for (let i = 0; i <= policy.escalateAfterWorkingDays && day; i++) day = workingDayAfter(cal, day);
  if (!day) return null;
  return { key: `v${a.dueVersion}:escalation`, kind: "escalation", sendAt: instantAt(day, policy.at), dueAt: a.dueAt };
}

/** The latest overdue slot in (after, now], walking back from `now`'s day (bounded: stops at the first working day). */
function latestOverdueIn(a: AssignmentView, policy: ReminderPolicy, cal: WorkCalendar, after: number, now: number): ReminderSlot | null {
  if (!policy.overdueEveryWorkingDay) return null;
  const dueDate = overdueBaseDate(a);
  let day: string | null = localDateOf(now);
  if (instantAt(day, policy.at) > now) day = addDays(day, -1);
  day = workingDayOnOrBefore(cal, day);
  if (!day || day <= dueDate) return null;
  const slot = overdueSlot(a, policy, day);
  return slot.sendAt > after ? slot : null;
}

/** The first overdue slot strictly after `after`. */
function firstOverdueAfter(a: AssignmentView, policy: ReminderPolicy, cal: WorkCalendar, after: number): ReminderSlot | null {
  if (!policy.overdueEveryWorkingDay) return null;
  const dueDate = overdueBaseDate(a);
  const afterDate = localDateOf(after);
  // Start from the day of `after` (its slot may still be ahead of it) or the due day, whichever is later.
  let day: string | null = afterDate > dueDate ? addDays(afterDate, -1) : dueDate;
  for (let guard = 0; guard < 4 && day; guard++) {
    day = workingDayAfter(cal, day);
    if (!day) return null;
    const slot = overdueSlot(a, policy, day);
    if (slot.sendAt > after) return slot;
  }
  return null;
}

/** The first slot strictly after `after`, or null when nothing more can be sent (submitted, accepted, or no slots left). */
export function nextReminderAt(a: AssignmentView, policy: ReminderPolicy, cal: WorkCalendar, after: number): number | null {
  if (!active(a)) return null;
  // What was due when the start message went out is covered by it.
  if (a.notifiedAt != null && a.notifiedAt > after) after = a.notifiedAt;
  const candidates: number[] = [];
  const leadUp = leadUpSlots(a, policy, cal).find((s) => s.sendAt > after);
  if (leadUp) candidates.push(leadUp.sendAt);
  const overdue = firstOverdueAfter(a, policy, cal, after);
  if (overdue) candidates.push(overdue.sendAt);
  const esc = escalationSlot(a, policy, cal);
  if (esc && esc.sendAt > after) candidates.push(esc.sendAt);
  return candidates.length ? Math.min(...candidates) : null;
}

/**
 * Slots that fell due in (after, now]. Of the reminders (before / due / overdue) only the latest is returned:
 * stale ones collapse into it, so a late tick never sends "7 days before" once a nearer slot's time has come;
 * before and due-day slots also lapse once the deadline has passed. The escalation slot is returned as well
 * if it fell due. `next` is the first slot after `now` (after `after`, if a tick runs behind another).
 */
export function dueReminders(
  a: AssignmentView,
  policy: ReminderPolicy,
  cal: WorkCalendar,
  after: number,
  now: number,
): { send: ReminderSlot[]; next: number | null } {
  if (!active(a)) return { send: [], next: null };
  if (a.notifiedAt != null && a.notifiedAt > after) after = a.notifiedAt;
  const send: ReminderSlot[] = [];
  if (now > after) {
    const inWindow = (s: ReminderSlot) => s.sendAt > after && s.sendAt <= now;
    let latest: ReminderSlot | null = null;
    if (now < a.dueAt) {
      for (const s of leadUpSlots(a, policy, cal)) if (inWindow(s)) latest = s;
    }
    const overdue = latestOverdueIn(a, policy, cal, after, now);
    if (overdue && (!latest || overdue.sendAt > latest.sendAt)) latest = overdue;
    if (latest) send.push(latest);
    const esc = escalationSlot(a, policy, cal);
    if (esc && inWindow(esc)) send.push(esc);
    send.sort((x, y) => x.sendAt - y.sendAt);
  }
  return { send, next: nextReminderAt(a, policy, cal, Math.max(after, now)) };
}

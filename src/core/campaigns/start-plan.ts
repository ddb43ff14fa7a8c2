// Starting a campaign, pure (`now` passed in): moving its dates before it starts (a shift in days and/or
// new deadlines per deliverable), and what the start means for each assignment's reminders — slots
// already past at the start are never sent (the unit's start message lists the task instead), and the
// schedule that is left, through the escalation, with its dates.
import { z } from "zod";
import type { WorkCalendar } from "../work-calendar";
import type { CampaignFile } from "./campaign-file";
import { dueSchema } from "./campaign-file";
import { addDays, DAY_MS } from "./local-time";
import type { ReminderPolicy } from "./reminder-policy";
import { dueReminders, leadUpSlots, nextReminderAt, type AssignmentView, type ReminderSlot } from "./reminders";

/** Dates moved before the start: every deadline (and phase) by `shiftDays`, then `deadlines` per one-off deliverable key. */
export const dateMoveSchema = z
  .object({
    shiftDays: z.number().int().min(-366).max(366).optional(),
    deadlines: z.record(z.string().max(48), dueSchema).optional(),
  })
  .strict();
export type DateMove = z.infer<typeof dateMoveSchema>;

const shiftText = (text: string, days: number) => addDays(text.slice(0, 10), days) + text.slice(10);

/** What is wrong with a move for this file (keys it does not have, recurring deliverables given a date). */
export function dateMoveProblems(file: CampaignFile, move: DateMove): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(move.deadlines ?? {})) {
    const d = file.deliverables.find((x) => x.key === key);
    if (!d) problems.push(`no deliverable ${key}`);
    else if (d.due === undefined) problems.push(`${key} recurs: it moves with the shift only`);
  }
  return problems;
}

/** The file with its one-off deadlines and phases moved (recurring deadlines move per period: see `movedDueAt`). */
export function moveCampaignDates(file: CampaignFile, move: DateMove | undefined): CampaignFile {
  const days = move?.shiftDays ?? 0;
  const set = move?.deadlines ?? {};
  if (!days && Object.keys(set).length === 0) return file;
  return {
    ...file,
    phases: file.phases.map((p) => ({ ...p, startsOn: shiftText(p.startsOn, days), endsOn: shiftText(p.endsOn, days) })),
    deliverables: file.deliverables.map((d) => (d.due === undefined ? d : { ...d, due: set[d.key] ?? shiftText(d.due, days) })),
  };
}

/** A recurring deliverable's period deadline after the shift (Shanghai has no daylight saving: whole days). */
export const movedDueAt = (dueAt: number, recurring: boolean, move: DateMove | undefined) => (recurring ? dueAt + (move?.shiftDays ?? 0) * DAY_MS : dueAt);

export interface StartSchedule {
  /** The deadline is already past at the start. */
  past: boolean;
  /** Some slot (a reminder day, or the deadline) is already past: the unit must hear of the task in its start message. */
  skipped: boolean;
  /** The reminders still to come, by time, through the escalation (or the first overdue reminder without one). */
  upcoming: ReminderSlot[];
}

/** Slots listed at most per assignment (the overdue ones repeat every working day until submitted). */
const UPCOMING_LIMIT = 30;

/**
 * The schedule of a new assignment due at `dueAt`, started at `now`; `notifiedAt` is when its unit gets a
 * start message (null when the campaign sends none). Computed with the tick's own rules.
 */
export function startSchedule(dueAt: number, policy: ReminderPolicy, cal: WorkCalendar, now: number, notifiedAt: number | null): StartSchedule {
  const base: AssignmentView = { dueAt, dueVersion: 1, state: "open", received: false };
  const past = dueAt <= now;
  const skipped = past || leadUpSlots(base, policy, cal).some((s) => s.sendAt <= now);
  const view: AssignmentView = { ...base, notifiedAt };
  const upcoming: ReminderSlot[] = [];
  let after = now;
  let at = nextReminderAt(view, policy, cal, after);
  while (at !== null && upcoming.length < UPCOMING_LIMIT) {
    const { send, next } = dueReminders(view, policy, cal, after, at);
    upcoming.push(...send);
    if (send.some((s) => s.kind === "escalation")) break;
    if (policy.escalateAfterWorkingDays === null && send.some((s) => s.kind === "overdue")) break;
    after = at;
    at = next;
  }
  return { past, skipped, upcoming };
}

/** When a unit told at `notifiedAt` of a past deadline gets its first overdue reminder (null: the policy sends none). */
export function firstOverdueAt(dueAt: number, policy: ReminderPolicy, cal: WorkCalendar, notifiedAt: number): number | null {
  const s = startSchedule(dueAt, policy, cal, notifiedAt, notifiedAt).upcoming.find((x) => x.kind === "overdue");
  return s?.sendAt ?? null;
}

// Statutory and customary deadlines of a lead, and the escalation ladder when one passes. Defaults come
// from the regulations (see DOMAIN.md) and are configurable per jurisdiction.
import type { LeadState } from "./lead-lifecycle";
import { addWorkingDays, addWorkingHours, type WorkCalendar, type WorkingHours } from "./work-calendar";

export interface DeadlinePolicy {
  /** Acknowledge a new lead within this many working hours. */
  ackWorkingHours: number;
  /** Decide to accept (受理) or not within this many working days of receipt. */
  acceptWorkingDays: number;
  /** Finish handling within this many working days of receipt. */
  finishWorkingDays: number;
  /** Tell a real-name tipster it was opened within this many working days of the decision. */
  notifyOpenedWorkingDays: number;
  /** Working hours between escalation steps (assignee → team lead → coordinators). */
  escalationStepWorkingHours: number;
}

export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = {
  ackWorkingHours: 4,
  acceptWorkingDays: 15,
  finishWorkingDays: 30,
  notifyOpenedWorkingDays: 5,
  escalationStepWorkingHours: 4,
};

export interface LeadDeadlines {
  ackBy: Date;
  acceptBy: Date;
  finishBy: Date;
  /** The acceptance notice (受理告知) to real-name tipsters: set once the lead is accepted (see notifyByOf). */
  notifyBy?: Date | null;
}

/** Decision time + notifyOpenedWorkingDays, for a lead that came from tips and was accepted; else null. */
export function notifyByOf(cal: WorkCalendar, lead: { source?: string | null; acceptedAt?: number | null }, policy: DeadlinePolicy): Date | null {
  if (lead.source !== "tip" || lead.acceptedAt == null) return null;
  return addWorkingDays(cal, new Date(lead.acceptedAt), policy.notifyOpenedWorkingDays);
}

export function computeLeadDeadlines(cal: WorkCalendar, wh: WorkingHours, receivedAt: Date, policy: DeadlinePolicy = DEFAULT_DEADLINE_POLICY): LeadDeadlines {
  return {
    ackBy: addWorkingHours(cal, receivedAt, policy.ackWorkingHours, wh),
    acceptBy: addWorkingDays(cal, receivedAt, policy.acceptWorkingDays),
    finishBy: addWorkingDays(cal, receivedAt, policy.finishWorkingDays),
  };
}

export type DeadlineKind = "ack" | "accept" | "finish" | "notify";
const KINDS = ["ack", "accept", "finish", "notify"] as const;
export type EscalationStep = "assignee" | "team_lead" | "coordinators";
export const ESCALATION_STEPS: EscalationStep[] = ["assignee", "team_lead", "coordinators"];

/** Steps already sent for each deadline (0 … 3); notify is 3 too once the notice has been seen. */
export interface EscalationState {
  ack: number;
  accept: number;
  finish: number;
  notify?: number;
}

const MET: Record<DeadlineKind, readonly LeadState[]> = {
  ack: ["acknowledged", "accepted", "investigating", "concluded", "not_accepted"],
  accept: ["accepted", "investigating", "concluded", "not_accepted"],
  finish: ["concluded", "not_accepted"],
  // Not met by any state: the tipster must still be told after the lead closes (the job checks).
  notify: [],
};

export function isDeadlineMet(kind: DeadlineKind, state: LeadState): boolean {
  return MET[kind].includes(state);
}

function deadlineFor(d: LeadDeadlines, kind: DeadlineKind): Date | null {
  return kind === "ack" ? d.ackBy : kind === "accept" ? d.acceptBy : kind === "finish" ? d.finishBy : (d.notifyBy ?? null);
}

export interface DueEscalation {
  kind: DeadlineKind;
  step: EscalationStep;
  stepIndex: number;
  dueAt: Date;
}

/**
 * The escalation steps due at `now` and not yet sent. Step i of a missed deadline is due at the
 * deadline plus i × escalationStepWorkingHours working hours, so a late tick catches up in order and
 * a repeated tick sends nothing twice.
 */
export function dueEscalations(input: {
  state: LeadState;
  deadlines: LeadDeadlines;
  sent: EscalationState;
  now: Date;
  cal: WorkCalendar;
  wh: WorkingHours;
  policy: DeadlinePolicy;
}): DueEscalation[] {
  const due: DueEscalation[] = [];
  for (const kind of KINDS) {
    const deadline = deadlineFor(input.deadlines, kind);
    if (!deadline || isDeadlineMet(kind, input.state)) continue;
    for (let i = input.sent[kind] ?? 0; i < ESCALATION_STEPS.length; i++) {
      const dueAt = i === 0 ? deadline : addWorkingHours(input.cal, deadline, i * input.policy.escalationStepWorkingHours, input.wh);
      if (dueAt.getTime() > input.now.getTime()) break;
      due.push({ kind, step: ESCALATION_STEPS[i]!, stepIndex: i, dueAt });
    }
  }
  return due;
}

/**
 * When the escalation job must next look at a lead: the due time of the earliest step not yet sent of
 * a deadline not yet met, or null when nothing more can fall due (closed, or every step sent). A time
 * at or before `now` means "due now": a tick that was missed catches up on the next one. Stored in
 * leads.next_escalation_at, so the job selects only what is due through an index.
 */
export function nextEscalationAt(input: {
  state: LeadState;
  deadlines: LeadDeadlines;
  sent: EscalationState;
  cal: WorkCalendar;
  wh: WorkingHours;
  policy: DeadlinePolicy;
}): Date | null {
  let next: number | null = null;
  for (const kind of KINDS) {
    const deadline = deadlineFor(input.deadlines, kind);
    if (!deadline || isDeadlineMet(kind, input.state)) continue;
    const i = input.sent[kind] ?? 0;
    if (i >= ESCALATION_STEPS.length) continue;
    const dueAt = i === 0 ? deadline.getTime() : addWorkingHours(input.cal, deadline, i * input.policy.escalationStepWorkingHours, input.wh).getTime();
    if (next === null || dueAt < next) next = dueAt;
  }
  return next === null ? null : new Date(next);
}

/**
 * One escalation run for one lead at `now`: the steps to send (in order, catching up after missed
 * ticks), the sent-state afterwards, and the next time to look (always after `now`, or null).
 */
export function planEscalation(input: {
  state: LeadState;
  deadlines: LeadDeadlines;
  sent: EscalationState;
  now: Date;
  cal: WorkCalendar;
  wh: WorkingHours;
  policy: DeadlinePolicy;
}): { due: DueEscalation[]; sent: EscalationState; nextAt: Date | null } {
  const due = dueEscalations(input);
  const sent = { ...input.sent };
  for (const step of due) sent[step.kind] = Math.max(sent[step.kind] ?? 0, step.stepIndex + 1);
  return { due, sent, nextAt: nextEscalationAt({ ...input, sent }) };
}

// What a tipster is told on the status page: the state in words, the next step and its statutory
// deadline, and (for real-name reporters) the notice of the acceptance decision (受理告知) owed within
// notifyOpenedWorkingDays of the decision. Pure: times and the calendar are passed in.
import type { DeadlinePolicy } from "./deadlines";
import type { ReportStatus } from "./report-status";
import { addWorkingDays, type WorkCalendar } from "./work-calendar";

/** A real-name reporter told "not accepted", with reasons, within this many working days (2018 rules). */
export const NOT_ACCEPTED_NOTICE_WORKING_DAYS = 15;

export type NextStep =
  /** The authority decides whether to accept the report (受理) by `due`. */
  | { kind: "decision"; due: Date; overdue: boolean; workingDays: number }
  /** Accepted: investigators check the facts; handling is due by `due` (extensions are allowed by law). */
  | { kind: "handling"; due: Date; overdue: boolean; workingDays: number }
  /** Nothing more is owed: concluded or not accepted. */
  | { kind: "closed" };

export interface DecisionNotice {
  decision: "accepted" | "not_accepted";
  decidedAt: Date;
  /** The latest the notice may reach the reporter. */
  dueBy: Date;
}

export interface CitizenProgress {
  next: NextStep;
  /** Real-name reporters only: when they will be told (before the decision) … */
  noticePromise: { workingDays: number } | null;
  /** … and the notice itself once the decision is taken. */
  notice: DecisionNotice | null;
}

/** The first decision on the report in its timeline (accepted, investigating or not accepted). */
export function decisionOf(timeline: { at: string; kind: string; status: ReportStatus | null }[]): { decision: "accepted" | "not_accepted"; at: Date } | null {
  for (const e of timeline) {
    if (e.kind !== "status_changed") continue;
    if (e.status === "accepted" || e.status === "investigating" || e.status === "concluded") return { decision: "accepted", at: new Date(e.at) };
    if (e.status === "not_accepted") return { decision: "not_accepted", at: new Date(e.at) };
  }
  return null;
}

export function citizenProgress(input: {
  status: ReportStatus;
  anonymous: boolean;
  submittedAt: Date;
  decision: { decision: "accepted" | "not_accepted"; at: Date } | null;
  now: Date;
  cal: WorkCalendar;
  policy: Pick<DeadlinePolicy, "acceptWorkingDays" | "finishWorkingDays" | "notifyOpenedWorkingDays">;
}): CitizenProgress {
  const { status, now, cal, policy } = input;
  const acceptBy = addWorkingDays(cal, input.submittedAt, policy.acceptWorkingDays);
  const finishBy = addWorkingDays(cal, input.submittedAt, policy.finishWorkingDays);
  let next: NextStep;
  if (status === "received" || status === "in_review") next = { kind: "decision", due: acceptBy, overdue: now.getTime() > acceptBy.getTime(), workingDays: policy.acceptWorkingDays };
  else if (status === "accepted" || status === "investigating") next = { kind: "handling", due: finishBy, overdue: now.getTime() > finishBy.getTime(), workingDays: policy.finishWorkingDays };
  else next = { kind: "closed" };
  const realName = !input.anonymous;
  const decision = input.decision;
  return {
    next,
    noticePromise: realName && !decision && next.kind === "decision" ? { workingDays: policy.notifyOpenedWorkingDays } : null,
    notice:
      realName && decision
        ? {
            decision: decision.decision,
            decidedAt: decision.at,
            dueBy: addWorkingDays(cal, decision.at, decision.decision === "accepted" ? policy.notifyOpenedWorkingDays : NOT_ACCEPTED_NOTICE_WORKING_DAYS),
          }
        : null,
  };
}

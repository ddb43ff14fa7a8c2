// What a tipster is told on the status page: the state in words, the next step and its statutory
// deadline, and (for real-name reporters) the notice of the acceptance decision (受理告知) owed within
// notifyOpenedWorkingDays of the decision; once a reward is owed, the reward's next step (claim by the
// deadline the reward rules set, then review and payment). Pure: times and the calendar are passed in.
import type { DeadlinePolicy } from "./deadlines";
import type { RewardStatus } from "./rewards/claims";
import type { ReportStatus } from "./report-status";
import { addWorkingDays, type WorkCalendar } from "./work-calendar";

/** A real-name reporter told "not accepted", with reasons, within this many working days (2018 rules). */
export const NOT_ACCEPTED_NOTICE_WORKING_DAYS = 15;

export type NextStep =
  /** The authority decides whether to accept the report (受理) by `due`. */
  | { kind: "decision"; due: Date; overdue: boolean; workingDays: number }
  /** Accepted: investigators check the facts; handling is due by `due` (extensions are allowed by law). */
  | { kind: "handling"; due: Date; overdue: boolean; workingDays: number }
  /** A reward is owed: claim it by `deadline` (the claim window of the reward rules), or it is forfeited. */
  | { kind: "reward_claim"; deadline: Date; amountFen: number; overdue: boolean }
  /** The claim is with the reviewers: `stage` says whose turn it is (coordinators, then finance, then payment). */
  | { kind: "reward_review"; stage: "coordinators" | "finance" | "payment" }
  /** The reviewers asked a question: the claim waits for the answer. */
  | { kind: "reward_question" }
  /** The claim was rejected: reconsideration may be asked once until `until`. */
  | { kind: "reward_rejected"; until: Date | null }
  /** Paid: nothing more to do. */
  | { kind: "reward_paid"; paidAt: Date | null; amountFen: number }
  /** Nothing more is owed: concluded or not accepted. */
  | { kind: "closed" };

/** The tipster's reward as far as the next step needs it. */
export interface RewardProgressInput {
  status: RewardStatus;
  amountFen: number;
  deadline: Date;
  paidAt: Date | null;
  reconsiderationUntil: Date | null;
}

const REVIEW_STAGE: Partial<Record<RewardStatus, "coordinators" | "finance" | "payment">> = {
  claimed: "coordinators",
  reconsideration: "coordinators",
  coordinator_approved: "finance",
  approved: "payment",
};

/** The reward's next step, or null when the reward asks nothing of anyone (expired, excluded). */
export function rewardNextStep(reward: RewardProgressInput, now: Date): NextStep | null {
  const stage = REVIEW_STAGE[reward.status];
  if (stage) return { kind: "reward_review", stage };
  switch (reward.status) {
    case "eligible":
      return { kind: "reward_claim", deadline: reward.deadline, amountFen: reward.amountFen, overdue: now.getTime() > reward.deadline.getTime() };
    case "question":
      return { kind: "reward_question" };
    case "rejected":
      return { kind: "reward_rejected", until: reward.reconsiderationUntil };
    case "paid":
      return { kind: "reward_paid", paidAt: reward.paidAt, amountFen: reward.amountFen };
    default:
      return null;
  }
}

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
  /** The reward on this report, if one is owed: once the report is closed, its step comes next. */
  reward?: RewardProgressInput | null;
}): CitizenProgress {
  const { status, now, cal, policy } = input;
  const acceptBy = addWorkingDays(cal, input.submittedAt, policy.acceptWorkingDays);
  const finishBy = addWorkingDays(cal, input.submittedAt, policy.finishWorkingDays);
  let next: NextStep;
  if (status === "received" || status === "in_review") next = { kind: "decision", due: acceptBy, overdue: now.getTime() > acceptBy.getTime(), workingDays: policy.acceptWorkingDays };
  else if (status === "accepted" || status === "investigating") next = { kind: "handling", due: finishBy, overdue: now.getTime() > finishBy.getTime(), workingDays: policy.finishWorkingDays };
  else next = (input.reward ? rewardNextStep(input.reward, now) : null) ?? { kind: "closed" };
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

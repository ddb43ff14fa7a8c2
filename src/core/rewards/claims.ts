// A reward claim's life, as pure rules: who is eligible, the claim and reconsideration deadlines, and
// the review steps (a coordinator approves, then finance — two different people — then finance pays).
import { localDate } from "../work-calendar";

export const REWARD_STATUSES = [
  /** Eligible, not yet claimed: the status page shows the notice and the deadline. */
  "eligible",
  /** Claimed, waiting for a coordinator. */
  "claimed",
  /** A reviewer asked the claimant a question (shown on the status page); answering returns it to `claimed`. */
  "question",
  /** Approved by a coordinator, waiting for finance. */
  "coordinator_approved",
  /** Approved by finance, waiting for payment. */
  "approved",
  "paid",
  /** Rejected with a reason; the claimant may ask once for reconsideration within 30 days. */
  "rejected",
  /** Reconsideration asked: back with the coordinators. */
  "reconsideration",
  /** Not claimed by the deadline: forfeited. */
  "expired",
  /** Excluded by a reviewer (staff, own case, facts already known, no fund loss), with a reason. */
  "excluded",
] as const;
export type RewardStatus = (typeof REWARD_STATUSES)[number];

export const EXCLUSION_REASONS = ["department_staff", "own_case", "facts_already_known", "no_fund_loss"] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

export type ReviewerRole = "coordinator" | "finance";

export type RewardCommand =
  | { type: "claim" }
  | {
      type: "approve";
      role: ReviewerRole;
      memberId: string;
      /**
       * The approver's chat accounts (`platform:user id`): the one this approval comes from, and those
       * the member was ever enrolled from. None may be an account of the first approval.
       */
      accounts?: readonly string[];
    }
  | { type: "reject"; role: ReviewerRole; memberId: string }
  | { type: "ask"; role: ReviewerRole; memberId: string }
  | { type: "answer" }
  | { type: "pay"; role: ReviewerRole; memberId: string }
  | { type: "reconsider" }
  | { type: "expire" }
  | { type: "exclude"; role: ReviewerRole; memberId: string };

export type RewardRefusal =
  | "not_allowed_now"
  | "role_not_allowed"
  | "same_approver"
  | "same_chat_account"
  | "claim_deadline_passed"
  | "reconsideration_used"
  | "reconsideration_deadline_passed";

export interface RewardClaimView {
  status: RewardStatus;
  /** End of the claim period (ms). */
  claimDeadline: number;
  /** Who gave the coordinator's approval (the finance approval must be someone else). */
  coordinatorApprovedBy: string | null;
  /** The first approval's chat account and the accounts its member was ever enrolled from. */
  coordinatorApprovalAccounts?: readonly string[];
  rejectedAt: number | null;
  reconsiderationUsed: boolean;
}

export const RECONSIDERATION_DAYS = 30;
export const EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 86_400_000;
const OFFSET_MS = 8 * 3600_000;

const endOfLocalDay = (date: string) => Date.parse(`${date}T00:00:00Z`) - OFFSET_MS + DAY_MS - 1;

/**
 * "Within N calendar months of the notice": the same day of the month N months later (the month's last
 * day when it has fewer days: Dec 31 + 2 → Feb 28/29), until the end of that day, Asia/Shanghai.
 */
export function claimDeadline(noticeAt: number, months: number): number {
  const [y, m, d] = localDate(noticeAt).split("-").map(Number) as [number, number, number];
  const monthIndex = m - 1 + months;
  const year = y + Math.floor(monthIndex / 12);
  const month = monthIndex % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const date = `${year}-${String(month + 1).padStart(2, "0")}-${String(Math.min(d, lastDay)).padStart(2, "0")}`;
  return endOfLocalDay(date);
}

/** From when the status page warns that the claim period is ending. */
export const expiryWarningFrom = (deadline: number) => deadline - EXPIRY_WARNING_DAYS * DAY_MS;

/** End of the reconsideration period after a rejection: 30 calendar days, to the end of the day. */
export const reconsiderationDeadline = (rejectedAt: number) => endOfLocalDay(localDate(rejectedAt + RECONSIDERATION_DAYS * DAY_MS));

/**
 * The tip that earns the reward: the first (by receipt) whose tipster asked for one. Later tips on the
 * same facts are shown to the reviewer, who may add one with a reason.
 */
export function firstRewardTip<T extends { receivedAt: number; wantsReward: boolean; reportId: string }>(tips: T[]): T | null {
  let first: T | null = null;
  for (const t of tips) {
    if (!t.wantsReward) continue;
    if (!first || t.receivedAt < first.receivedAt || (t.receivedAt === first.receivedAt && t.reportId < first.reportId)) first = t;
  }
  return first;
}

/** The next status, or why the command is refused. */
export function applyRewardCommand(view: RewardClaimView, command: RewardCommand, now: number): { status: RewardStatus } | { refused: RewardRefusal } {
  const s = view.status;
  const reviewing = s === "claimed" || s === "reconsideration";
  switch (command.type) {
    case "claim":
      if (s !== "eligible") return { refused: "not_allowed_now" };
      if (now > view.claimDeadline) return { refused: "claim_deadline_passed" };
      return { status: "claimed" };
    case "answer":
      return s === "question" ? { status: "claimed" } : { refused: "not_allowed_now" };
    case "ask":
      return reviewing || s === "coordinator_approved" ? { status: "question" } : { refused: "not_allowed_now" };
    case "approve":
      if (reviewing) return command.role === "coordinator" ? { status: "coordinator_approved" } : { refused: "role_not_allowed" };
      if (s === "coordinator_approved") {
        if (command.role !== "finance") return { refused: "role_not_allowed" };
        if (command.memberId === view.coordinatorApprovedBy) return { refused: "same_approver" };
        // Two members, but one person: the same chat account (moved from one member to the other) acts for both.
        const first = new Set(view.coordinatorApprovalAccounts ?? []);
        if (command.accounts?.some((a) => first.has(a))) return { refused: "same_chat_account" };
        return { status: "approved" };
      }
      return { refused: "not_allowed_now" };
    case "reject":
      return reviewing || s === "coordinator_approved" || s === "question" ? { status: "rejected" } : { refused: "not_allowed_now" };
    case "pay":
      if (s !== "approved") return { refused: "not_allowed_now" };
      return command.role === "finance" ? { status: "paid" } : { refused: "role_not_allowed" };
    case "reconsider":
      if (s !== "rejected") return { refused: "not_allowed_now" };
      if (view.reconsiderationUsed) return { refused: "reconsideration_used" };
      if (view.rejectedAt === null || now > reconsiderationDeadline(view.rejectedAt)) return { refused: "reconsideration_deadline_passed" };
      return { status: "reconsideration" };
    case "expire":
      return s === "eligible" && now > view.claimDeadline ? { status: "expired" } : { refused: "not_allowed_now" };
    case "exclude":
      if (command.role !== "coordinator") return { refused: "role_not_allowed" };
      return s === "eligible" || reviewing || s === "question" ? { status: "excluded" } : { refused: "not_allowed_now" };
  }
}

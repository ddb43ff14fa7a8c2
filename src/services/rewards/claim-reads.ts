// Reward claim reads: the claim and view on a tip's status page, the claims list, a lead's other reward tips.
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { expiryWarningFrom, reconsiderationDeadline, type RewardStatus } from "../../core/rewards/claims";
import type { RewardComputation } from "../../core/rewards/compute";
import { leadReports, reports, rewardClaimNotes, rewardClaims, type ReportRow, type RewardClaimRow } from "../../db/schema";
import { listLeadTips } from "../leads/tips";
import { decryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { rewardPolicyName } from "./reward-cards";

/** What the tipster sees (status page and API). Amounts in fen; times ISO 8601. */
export interface RewardView {
  claimId: string;
  status: RewardStatus;
  amountFen: number;
  verifiedAmountFen: number;
  policy: { id: string; name: string };
  deadline: string;
  /** When finance recorded the payment (ISO 8601); null until paid. */
  paidAt: string | null;
  /** From 14 days before the deadline while unclaimed. */
  deadlineWarning: boolean;
  /** Until when a rejected claim may ask for reconsideration (null when it may not). */
  reconsiderationUntil: string | null;
  /** The open question to answer, if any. */
  question: string | null;
  /** Reasons and answers in order (reviewers' questions, rejection reason, …); no identity. */
  notes: { at: string; from: "reviewer" | "claimant"; kind: string; body: string }[];
  steps: RewardComputation["steps"];
}

/** The claim shown on a tip's status page: the first one (a tip has at most one per lead). */
export async function rewardClaimForReport(deps: ServiceDeps, reportId: string): Promise<RewardClaimRow | null> {
  return (await deps.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.reportId, reportId), orderBy: [asc(rewardClaims.createdAt)] })) ?? null;
}

export async function rewardViewForReport(deps: ServiceDeps, report: ReportRow): Promise<RewardView | null> {
  const claim = await rewardClaimForReport(deps, report.id);
  if (!claim) return null;
  const notes = await deps.db.query.rewardClaimNotes.findMany({ where: eq(rewardClaimNotes.claimId, claim.id), orderBy: [asc(rewardClaimNotes.createdAt), asc(rewardClaimNotes.id)] });
  const decrypted = await Promise.all(
    notes
      .filter((n) => n.kind !== "payment_ref")
      .map(async (n) => ({ at: new Date(n.createdAt).toISOString(), from: n.authorType as "reviewer" | "claimant", kind: n.kind, body: await decryptText(deps.keys, n.bodyEnc, `reward_note:${n.id}:body`) })),
  );
  const now = deps.now().getTime();
  const lastQuestion = claim.status === "question" ? [...decrypted].reverse().find((n) => n.kind === "question") : undefined;
  const mayReconsider = claim.status === "rejected" && !claim.reconsiderationUsed && claim.rejectedAt !== null && now <= reconsiderationDeadline(claim.rejectedAt);
  return {
    claimId: claim.id,
    status: claim.status as RewardStatus,
    amountFen: claim.amountFen,
    verifiedAmountFen: claim.verifiedAmountFen,
    policy: { id: claim.policyId, name: rewardPolicyName(claim.policyId, report.locale === "en" ? "en" : "zh-CN") },
    deadline: new Date(claim.claimDeadline).toISOString(),
    paidAt: claim.paidAt !== null ? new Date(claim.paidAt).toISOString() : null,
    deadlineWarning: claim.status === "eligible" && now >= expiryWarningFrom(claim.claimDeadline) && now <= claim.claimDeadline,
    reconsiderationUntil: mayReconsider ? new Date(reconsiderationDeadline(claim.rejectedAt!)).toISOString() : null,
    question: lastQuestion?.body ?? null,
    notes: decrypted,
    steps: (JSON.parse(claim.computation) as RewardComputation).steps,
  };
}

/** Newest first, optionally by status; bounded. */
export async function listRewardClaims(deps: ServiceDeps, input: { statuses?: RewardStatus[]; limit?: number } = {}) {
  const where = input.statuses?.length ? inArray(rewardClaims.status, input.statuses) : undefined;
  return deps.db.select().from(rewardClaims).where(where).orderBy(desc(rewardClaims.updatedAt)).limit(Math.min(input.limit ?? 100, 1000));
}

/** The lead's other tips whose tipsters asked for a reward and have no claim: what a reviewer may add. */
export async function otherRewardTips(deps: ServiceDeps, leadId: string): Promise<number[]> {
  const [tips, claims, wanting] = await Promise.all([
    listLeadTips(deps, leadId),
    deps.db.select({ reportId: rewardClaims.reportId }).from(rewardClaims).where(eq(rewardClaims.leadId, leadId)),
    deps.db.select({ id: reports.id }).from(leadReports).innerJoin(reports, eq(reports.id, leadReports.reportId)).where(and(eq(leadReports.leadId, leadId), eq(reports.wantsReward, true))),
  ]);
  const claimed = new Set(claims.map((c) => c.reportId));
  const asked = new Set(wanting.map((w) => w.id));
  return tips.filter((t) => asked.has(t.reportId) && !claimed.has(t.reportId)).map((t) => t.tipNo);
}

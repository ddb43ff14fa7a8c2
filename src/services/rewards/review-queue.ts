// What reviewers read in the workspace: the claims queue (the claims waiting for this member's step
// first) and one claim with its computation, steps and notes. Coordinators and finance only, as in chat;
// never the claimant's identity or account (that is finance's audited view, review-actions.ts).
import { asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { RewardStatus } from "../../core/rewards/claims";
import type { RewardComputation } from "../../core/rewards/compute";
import { scrubText } from "../../core/scrub";
import { rewardClaimNotes, rewardClaims, type LeadRow, type MemberRow, type RewardClaimRow } from "../../db/schema";
import { decryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { getLead } from "../leads/reads";
import { orgSnapshot } from "../org/org-cache";
import { otherRewardTips } from "./claim-reads";

/** Who reviews claims: active coordinators (first approval, rejection, exclusion, later tips) and finance (second approval, payment). */
export const mayReviewRewards = (member: Pick<MemberRow, "role" | "active">) => member.active && (member.role === "coordinator" || member.role === "finance");

/** The statuses in which the claim waits for a step of this member's role. */
export function statusesWaitingFor(member: Pick<MemberRow, "role" | "active">): RewardStatus[] {
  if (!member.active) return [];
  if (member.role === "coordinator") return ["claimed", "reconsideration"];
  if (member.role === "finance") return ["coordinator_approved", "approved"];
  return [];
}

const IN_PROGRESS: RewardStatus[] = ["eligible", "claimed", "question", "reconsideration", "coordinator_approved", "approved"];
const CLOSED: RewardStatus[] = ["paid", "rejected", "expired", "excluded"];

export interface QueueClaim {
  id: string;
  leadId: string;
  status: RewardStatus;
  amountFen: number;
  policyId: string;
  claimDeadline: number;
  updatedAt: number;
}

export interface RewardQueue {
  /** Waiting for this member's step, oldest first. */
  waiting: QueueClaim[];
  /** Other open claims (waiting for the claimant or the other role), oldest first. */
  inProgress: QueueClaim[];
  /** Closed claims, newest first. */
  closed: QueueClaim[];
}

const queueColumns = {
  id: rewardClaims.id,
  leadId: rewardClaims.leadId,
  status: rewardClaims.status,
  amountFen: rewardClaims.amountFen,
  policyId: rewardClaims.policyId,
  claimDeadline: rewardClaims.claimDeadline,
  updatedAt: rewardClaims.updatedAt,
};

/**
 * Up to `limit` claims of each status, one index range (status, updated_at) per status, so the read
 * stays bounded however many claims there are; merged by time.
 */
async function claimsByStatus(deps: ServiceDeps, statuses: RewardStatus[], order: "oldest" | "newest", limit: number): Promise<QueueClaim[]> {
  if (!statuses.length) return [];
  const by = order === "oldest" ? asc(rewardClaims.updatedAt) : desc(rewardClaims.updatedAt);
  const db = deps.db;
  const [first, ...rest] = statuses.map((s) => db.select(queueColumns).from(rewardClaims).where(eq(rewardClaims.status, s)).orderBy(by).limit(limit));
  const pages = (await db.batch([first!, ...rest])) as QueueClaim[][];
  const merged = pages.flat().sort((a, b) => (order === "oldest" ? a.updatedAt - b.updatedAt : b.updatedAt - a.updatedAt));
  return merged.slice(0, limit);
}

/** Claims waiting for this member's step (the overview's figure and the queue's first section). */
export async function rewardClaimsWaitingFor(deps: ServiceDeps, member: MemberRow, limit = 100): Promise<QueueClaim[]> {
  return claimsByStatus(deps, statusesWaitingFor(member), "oldest", limit);
}

export function refuseUnlessReviewer(member: MemberRow): void {
  if (!mayReviewRewards(member)) throw new AppError("forbidden", "reward claims are for coordinators and finance", { messageKey: "workspace.rewards.forbidden" });
}

export async function rewardQueue(deps: ServiceDeps, member: MemberRow, limit = 100): Promise<RewardQueue> {
  refuseUnlessReviewer(member);
  const waitingStatuses = statusesWaitingFor(member);
  const [waiting, inProgress, closed] = await Promise.all([
    claimsByStatus(deps, waitingStatuses, "oldest", limit),
    claimsByStatus(
      deps,
      IN_PROGRESS.filter((s) => !waitingStatuses.includes(s)),
      "oldest",
      limit,
    ),
    claimsByStatus(deps, CLOSED, "newest", Math.min(limit, 30)),
  ]);
  return { waiting, inProgress, closed };
}

export interface ClaimNote {
  at: number;
  from: "reviewer" | "claimant";
  kind: string;
  body: string;
  /** The reviewer by name (never an id); null for the claimant. */
  authorName: string | null;
}

export interface RewardClaimPage {
  claim: RewardClaimRow;
  lead: Pick<LeadRow, "id" | "outcome" | "substantiatedAmountFen" | "state"> | null;
  steps: RewardComputation["steps"];
  capApplied: boolean;
  floorApplied: boolean;
  notes: ClaimNote[];
  /** Names of the people behind each recorded step. */
  names: { coordinatorApproval: string | null; financeApproval: string | null; paidBy: string | null; addedBy: string | null };
  /** Whether this member waits to take the claim's next step. */
  waitingForMe: boolean;
  /** This member gave the first approval (the second must be someone else's). */
  firstApprover: boolean;
  /** The lead's tips whose tipsters asked for a reward and have no claim: what a coordinator may add. */
  otherTips: number[];
  /** Whether a claim was made (finance's audited view has something to show). */
  claimed: boolean;
}

/** One claim for a reviewer. Claimants' texts are scrubbed (a name or number written in an answer stays out of the page). */
export async function rewardClaimPage(deps: ServiceDeps, member: MemberRow, claimId: string): Promise<RewardClaimPage> {
  refuseUnlessReviewer(member);
  const claim = await deps.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.id, claimId) });
  if (!claim) throw new AppError("not_found", "no such reward claim", { messageKey: "errors.reward_claim_unknown" });
  const [lead, noteRows, otherTips, org] = await Promise.all([
    getLead(deps, claim.leadId),
    deps.db.query.rewardClaimNotes.findMany({ where: eq(rewardClaimNotes.claimId, claim.id), orderBy: [asc(rewardClaimNotes.createdAt), asc(rewardClaimNotes.id)], limit: 200 }),
    otherRewardTips(deps, claim.leadId),
    orgSnapshot(deps),
  ]);
  const nameOf = (id: string | null) => (id ? (org.memberById.get(id)?.displayName ?? null) : null);
  const notes = await Promise.all(
    noteRows.map(async (n): Promise<ClaimNote> => {
      const body = await decryptText(deps.keys, n.bodyEnc, `reward_note:${n.id}:body`);
      const fromClaimant = n.authorType === "claimant";
      return { at: n.createdAt, from: fromClaimant ? "claimant" : "reviewer", kind: n.kind, body: fromClaimant ? scrubText(body) : body, authorName: fromClaimant ? null : nameOf(n.authorRef) };
    }),
  );
  const computation = JSON.parse(claim.computation) as RewardComputation;
  return {
    claim,
    lead: lead ? { id: lead.id, outcome: lead.outcome, substantiatedAmountFen: lead.substantiatedAmountFen, state: lead.state } : null,
    steps: computation.steps,
    capApplied: computation.capApplied,
    floorApplied: computation.floorApplied,
    notes,
    names: { coordinatorApproval: nameOf(claim.coordinatorApprovedBy), financeApproval: nameOf(claim.financeApprovedBy), paidBy: nameOf(claim.paidBy), addedBy: nameOf(claim.addedBy) },
    waitingForMe: statusesWaitingFor(member).includes(claim.status as RewardStatus),
    firstApprover: claim.coordinatorApprovedBy === member.id,
    otherTips: member.role === "coordinator" ? otherTips : [],
    claimed: claim.claimedAt !== null,
  };
}

/** How many claims wait for this member's step, counted up to `cap` (a bounded read of the status index). */
export async function countRewardClaimsWaitingFor(deps: ServiceDeps, member: MemberRow, cap = 1000): Promise<number> {
  const statuses = statusesWaitingFor(member);
  if (!statuses.length) return 0;
  const bounded = deps.db.select({ one: sql`1` }).from(rewardClaims).where(inArray(rewardClaims.status, statuses)).limit(cap).as("bounded");
  const [row] = await deps.db.select({ n: sql<number>`count(*)` }).from(bounded);
  return Number(row?.n ?? 0);
}

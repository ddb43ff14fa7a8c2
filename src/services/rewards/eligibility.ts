// When a lead is concluded substantiated (or partly) with a verified amount, the first tip whose tipster
// asked for a reward becomes eligible: a reward_claims row with the computation under the region's
// policy and the claim deadline, written in the same batch as the conclusion.
import { claimDeadline, firstRewardTip } from "../../core/rewards/claims";
import { computeReward } from "../../core/rewards/compute";
import { policyForRegion, type RewardRules } from "../../core/rewards/policy";
import { newId } from "../../core/ids";
import type { Db } from "../../db/client";
import { events, reportTimeline, rewardClaims, type LeadRow, type RewardClaimRow } from "../../db/schema";
import { eventRow, type Actor } from "../events";

export interface RewardTip {
  reportId: string;
  receivedAt: number;
  wantsReward: boolean;
  isInsider: boolean;
}

const REWARDED_OUTCOMES = new Set(["substantiated", "partly_substantiated"]);

/**
 * Statements for the conclusion's batch: a conclusion substantiated (or partly) with an amount makes the
 * first reward tip eligible. Exclusions (staff, own case, facts already known) are the reviewers' call.
 */
export function rewardEligibilityStatements(
  db: Db,
  input: { lead: LeadRow; tips: RewardTip[]; outcome: string | null; amountFen: number | null; rules: RewardRules; existing: RewardClaimRow[]; now: number; actor: Actor },
): unknown[] {
  const { lead, now } = input;
  const rewarded = input.outcome !== null && REWARDED_OUTCOMES.has(input.outcome) && (input.amountFen ?? 0) > 0;
  const statements: unknown[] = [];
  if (!rewarded) return statements;
  const tip = firstRewardTip(input.tips);
  if (!tip) return statements;
  const policy = policyForRegion(input.rules, lead.regionCode);
  const computation = computeReward(policy, { verifiedAmountFen: input.amountFen!, insider: tip.isInsider });
  const existing = input.existing.find((c) => c.reportId === tip.reportId);
  // A conclusion is final (lead-lifecycle.ts); this only guards a replayed batch.
  if (existing) return statements;
  const id = newId("rwd");
  const deadline = claimDeadline(now, input.rules.claimMonths);
  statements.push(
    db
      .insert(rewardClaims)
      .values({
        id,
        leadId: lead.id,
        reportId: tip.reportId,
        status: "eligible",
        policyId: policy.id,
        verifiedAmountFen: computation.verifiedAmountFen,
        amountFen: computation.amountFen,
        computation: JSON.stringify(computation),
        insider: tip.isInsider,
        noticeAt: now,
        claimDeadline: deadline,
        nextCheckAt: deadline + 1,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing(),
    db.insert(events).values(
      eventRow(input.actor, { occurredAt: now, entityType: "reward_claim", entityId: id, action: "reward.eligible", toState: "eligible", data: JSON.stringify({ leadId: lead.id, reportId: tip.reportId, policy: policy.id, amountFen: computation.amountFen, claimDeadline: deadline }) }),
    ),
    db.insert(reportTimeline).values({ id: newId("tl"), reportId: tip.reportId, createdAt: now, kind: "reward_eligible" }),
  );
  return statements;
}

// Reward claims after eligibility: a barrel over the modules next to it, so importers outside services/
// keep working — claim-steps.ts (one audited step), claim-reads.ts, claimant-actions.ts (claim, answer,
// reconsider), review-actions.ts (two-person approval, payment, audited claimant view, later tips),
// reward-expiry.ts (tick). Inside services/, import the module itself.
export { RewardRefused, type ClaimantAction, type ReviewAction } from "./claim-steps";
export { listRewardClaims, otherRewardTips, rewardClaimForReport, rewardViewForReport, type RewardView } from "./claim-reads";
export { answerRewardQuestion, requestReconsideration, submitRewardClaim } from "./claimant-actions";
export { addRewardTip, reviewRewardClaim, viewRewardClaimant } from "./review-actions";
export { expireUnclaimedRewards } from "./reward-expiry";

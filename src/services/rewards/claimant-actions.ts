// The tipster's side of a reward (behind the receipt): the claim itself, an answer to a question, a reconsideration.
import type { RewardClaimInput } from "../../core/rewards/claim-input";
import type { ReportRow, RewardClaimRow } from "../../db/schema";
import { encryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import type { Actor } from "../events";
import { applyStep } from "./claim-steps";
import { rewardClaimForReport } from "./claim-reads";

const claimant = (report: ReportRow, channel: "web" | "api"): Actor => ({ type: "public", id: null, role: "reporter", platform: channel, platformRef: report.id });

/** The claim: identity and payout details, encrypted, bound to the claim. Anonymous tipsters reveal identity here and only here. */
export async function submitRewardClaim(deps: ServiceDeps, report: ReportRow, input: Omit<RewardClaimInput, "receipt">, channel: "web" | "api"): Promise<RewardClaimRow> {
  const claim = await rewardClaimForReport(deps, report.id);
  if (!claim) throw new AppError("not_found", "no reward for this report", { messageKey: "errors.reward_none" });
  const identityEnc = await encryptText(deps.keys, JSON.stringify(input.identity), `reward:${claim.id}:identity`);
  const payoutEnc = await encryptText(deps.keys, JSON.stringify({ account: input.payout.account, bankName: input.payout.bankName ?? null }), `reward:${claim.id}:payout`);
  const updated = await applyStep(deps, {
    claim,
    command: { type: "claim" },
    actor: claimant(report, channel),
    set: { claimedAt: deps.now().getTime(), identityEnc, payoutMethod: input.payout.method, payoutEnc },
    data: { anonymousTip: report.isAnonymous, payoutMethod: input.payout.method },
    notify: "coordinators",
  });
  deps.notifyOutbox?.();
  return updated;
}

export async function answerRewardQuestion(deps: ServiceDeps, report: ReportRow, text: string, channel: "web" | "api"): Promise<RewardClaimRow> {
  const claim = await rewardClaimForReport(deps, report.id);
  if (!claim) throw new AppError("not_found", "no reward for this report", { messageKey: "errors.reward_none" });
  const updated = await applyStep(deps, { claim, command: { type: "answer" }, actor: claimant(report, channel), note: { kind: "answer", body: text, authorType: "claimant", authorRef: null }, notify: "coordinators" });
  deps.notifyOutbox?.();
  return updated;
}

export async function requestReconsideration(deps: ServiceDeps, report: ReportRow, reason: string, channel: "web" | "api"): Promise<RewardClaimRow> {
  const claim = await rewardClaimForReport(deps, report.id);
  if (!claim) throw new AppError("not_found", "no reward for this report", { messageKey: "errors.reward_none" });
  const updated = await applyStep(deps, {
    claim,
    command: { type: "reconsider" },
    actor: claimant(report, channel),
    set: { reconsiderationUsed: true },
    note: { kind: "reconsideration", body: reason, authorType: "claimant", authorRef: null },
    notify: "coordinators",
  });
  deps.notifyOutbox?.();
  return updated;
}

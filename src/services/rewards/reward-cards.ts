// The reward claim card for reviewers: the computation step by step, the lead's outcome, the policy
// and the review state, with the buttons for the next step. Never the claimant's identity or account.
import type { RewardStatus } from "../../core/rewards/claims";
import { formatMoney, formatYuan } from "../../core/money";
import { formatRate, type RewardComputation, type RewardStep } from "../../core/rewards/compute";
import { rewardPreset, REWARD_PRESET_IDS, type RewardPresetId } from "../../core/rewards/policy";
import type { Locale } from "../../core/report-input";
import { shanghaiDateTime } from "../../core/time";
import type { LeadRow, RewardClaimRow } from "../../db/schema";
import type { ChatButton, ChatCard } from "../../chat/types";
import { t } from "../../i18n";
import { memberName } from "../org/member-names";
import type { OrgSnapshot } from "../org/org-cache";

/** The card's buttons; Telegram callback data `fw:r-apr:<claim id>` stays well under 64 bytes. */
export function rewardButtons(claim: Pick<RewardClaimRow, "id" | "status">, locale: Locale): ChatButton[][] {
  const b = (action: string, style?: "primary" | "danger"): ChatButton => ({ action, leadId: claim.id, label: t(locale, `reward.btn.${action}`), ...(style ? { style } : {}) });
  const status = claim.status as RewardStatus;
  if (status === "claimed" || status === "reconsideration") return [[b("r-apr", "primary"), b("r-rej", "danger"), b("r-ask")]];
  if (status === "coordinator_approved") return [[b("r-fin", "primary"), b("r-rej", "danger"), b("r-ask")]];
  if (status === "approved") return [[b("r-pay", "primary")]];
  return [];
}

/** One line per step: "100,000.00 元（0.00 至 100,000.00）× 2 % = 2,000.00 元" (the band's bounds as bare figures), then the sum, uplift, floor or cap. */
export function computationLines(steps: RewardStep[], locale: Locale): string[] {
  const money = (fen: number) => formatMoney(fen, locale);
  return steps.map((s) => {
    switch (s.kind) {
      case "band":
        return t(locale, "reward.step.band", { from: formatYuan(s.fromFen), to: formatYuan(s.toFen), base: money(s.baseFen), rate: formatRate(s.rateBp), share: money(s.shareFen) });
      case "sum":
        return t(locale, "reward.step.sum", { amount: money(s.amountFen) });
      case "insider_uplift":
        return t(locale, "reward.step.insider", { rate: formatRate(s.upliftBp), added: money(s.addedFen), amount: money(s.amountFen) });
      case "floor":
        return t(locale, "reward.step.floor", { floor: money(s.floorFen) });
      case "cap":
        return t(locale, "reward.step.cap", { cap: money(s.capFen) });
    }
  });
}

export const rewardPolicyName = (id: string, locale: Locale) =>
  (REWARD_PRESET_IDS as readonly string[]).includes(id) ? rewardPreset(id as RewardPresetId).name[locale] : id;

/** `org` names the approvers (name and role, never the member id). */
export function renderRewardCard(claim: RewardClaimRow, lead: LeadRow | null, locale: Locale, org: Pick<OrgSnapshot, "memberById">, otherTips: number[] = []): { title: string; fields: ChatCard["fields"]; body: string; buttons: ChatButton[][] } {
  const computation = JSON.parse(claim.computation) as RewardComputation;
  const fields: ChatCard["fields"] = [
    { label: t(locale, "reward.field.status"), value: t(locale, `reward.status.${claim.status}`) },
    { label: t(locale, "reward.field.lead"), value: claim.leadId + (lead?.outcome ? ` · ${t(locale, `report_outcome.${lead.outcome}`)}` : "") },
    { label: t(locale, "reward.field.verified"), value: formatMoney(claim.verifiedAmountFen, locale) },
    { label: t(locale, "reward.field.policy"), value: rewardPolicyName(claim.policyId, locale) },
    { label: t(locale, "reward.field.amount"), value: formatMoney(claim.amountFen, locale) },
    { label: t(locale, "reward.field.deadline"), value: shanghaiDateTime(new Date(claim.claimDeadline)) },
  ];
  if (claim.insider) fields.push({ label: t(locale, "reward.field.insider"), value: t(locale, "reward.yes") });
  if (claim.payoutMethod) fields.push({ label: t(locale, "reward.field.payout"), value: t(locale, `reward.payout.${claim.payoutMethod}`) });
  if (claim.coordinatorApprovedBy) fields.push({ label: t(locale, "reward.field.coordinator_approval"), value: `${memberName(org, claim.coordinatorApprovedBy, locale)} · ${shanghaiDateTime(new Date(claim.coordinatorApprovedAt!))}` });
  if (claim.financeApprovedBy) fields.push({ label: t(locale, "reward.field.finance_approval"), value: `${memberName(org, claim.financeApprovedBy, locale)} · ${shanghaiDateTime(new Date(claim.financeApprovedAt!))}` });
  if (otherTips.length) fields.push({ label: t(locale, "reward.field.other_tips"), value: otherTips.map((n) => `#${n}`).join(" ") });
  if (claim.paidAt) fields.push({ label: t(locale, "reward.field.paid"), value: shanghaiDateTime(new Date(claim.paidAt)) });
  return {
    title: t(locale, "reward.card_title", { id: claim.id }),
    fields,
    body: computationLines(computation.steps, locale).join("\n"),
    buttons: rewardButtons(claim, locale),
  };
}

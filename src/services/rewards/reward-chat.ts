// What the reward claim card's buttons mean, independent of the platform: Approve (coordinator, then
// finance), Reject / Ask / Mark paid (each asks for a text: the reason, the question for the claimant,
// the payment reference). The platform handlers (chat/telegram/reward-handlers.ts, chat/slack/
// reward-handlers.ts) show the reply and the prompt.
import type { Locale } from "../../core/report-input";
import { isLocale, t } from "../../i18n";
import { createPrompt } from "../chat/prompts";
import type { ChatUser } from "../chat/types";
import type { ServiceDeps } from "../deps";
import { logUnknownUser } from "../leads/refusals";
import { findMemberByChatUser } from "../org/members";
import { errorText, refusalText } from "../refusals/refusal-text";
import { reviewRewardClaim } from "./review-actions";
import type { ReviewAction } from "./claim-steps";

export const REWARD_ACTIONS = ["r-apr", "r-fin", "r-rej", "r-ask", "r-pay"] as const;
export type RewardAction = (typeof REWARD_ACTIONS)[number];
export const isRewardAction = (action: string): action is RewardAction => (REWARD_ACTIONS as readonly string[]).includes(action);

export const REWARD_PROMPT_PURPOSES = ["reward_reject", "reward_ask", "reward_pay"] as const;
export type RewardPromptPurpose = (typeof REWARD_PROMPT_PURPOSES)[number];
export const isRewardPromptPurpose = (p: string): p is RewardPromptPurpose => (REWARD_PROMPT_PURPOSES as readonly string[]).includes(p);

const PROMPT_FOR: Partial<Record<RewardAction, RewardPromptPurpose>> = { "r-rej": "reward_reject", "r-ask": "reward_ask", "r-pay": "reward_pay" };
const ACTION_OF: Record<RewardPromptPurpose, ReviewAction> = { reward_reject: "reject", reward_ask: "ask", reward_pay: "pay" };
const PROMPT_TTL_MS = 30 * 60_000;

export interface RewardReply {
  text: string;
  prompt?: { purpose: RewardPromptPurpose; claimId: string; text: string };
}

const localeOf = (locale: string | undefined, fallback: Locale): Locale => (isLocale(locale) ? locale : fallback);

/** A press on a claim card. Only enrolled coordinators and finance members get anywhere; others are logged. */
export async function handleRewardAction(deps: ServiceDeps, input: { user: ChatUser; action: RewardAction; claimId: string; updateKey: string }): Promise<RewardReply> {
  const member = await findMemberByChatUser(deps, input.user.platform, input.user.userId);
  const locale = localeOf(member?.locale, deps.config.DEFAULT_LOCALE);
  if (!member) {
    await logUnknownUser(deps, { platform: input.user.platform, platformUserId: input.user.userId, attempted: input.action, leadId: input.claimId, dedupeKey: input.updateKey });
    return { text: await refusalText(deps, locale, { scope: "chat", code: "not_enrolled" }) };
  }
  const purpose = PROMPT_FOR[input.action];
  if (purpose) {
    // Asked for the text only of those who may take the step; the step itself checks again.
    if (member.role !== "coordinator" && member.role !== "finance")
      return { text: await refusalText(deps, locale, { scope: "reward", code: "role_not_allowed", action: ACTION_OF[purpose], actorId: member.id }) };
    return { text: "", prompt: { purpose, claimId: input.claimId, text: t(locale, `reward.prompt.${purpose}`) } };
  }
  try {
    const updated = await reviewRewardClaim(deps, { claimId: input.claimId, action: "approve", member, platform: input.user.platform, platformUserId: input.user.userId, pressKey: input.updateKey });
    return { text: t(locale, "reward.chat.done", { status: t(locale, `reward.status.${updated.status}`) }) };
  } catch (err) {
    return { text: await errorText(deps, locale, err) };
  }
}

/** The text a prompt asked for: a rejection reason, a question for the claimant, a payment reference. */
export async function answerRewardPrompt(deps: ServiceDeps, input: { user: ChatUser; purpose: RewardPromptPurpose; claimId: string; text: string }): Promise<{ text: string; keepPromptOpen?: boolean }> {
  const member = await findMemberByChatUser(deps, input.user.platform, input.user.userId);
  const locale = localeOf(member?.locale, deps.config.DEFAULT_LOCALE);
  if (!member) return { text: await refusalText(deps, locale, { scope: "chat", code: "not_enrolled" }) };
  const text = input.text.trim();
  if (!text) return { text: t(locale, "errors.reward_text_required"), keepPromptOpen: true };
  try {
    const updated = await reviewRewardClaim(deps, { claimId: input.claimId, action: ACTION_OF[input.purpose], member, platform: input.user.platform, platformUserId: input.user.userId, text: text.slice(0, 2000) });
    return { text: t(locale, "reward.chat.done", { status: t(locale, `reward.status.${updated.status}`) }) };
  } catch (err) {
    return { text: await errorText(deps, locale, err) };
  }
}

/** Asks the member for the text (Telegram force-reply in the chat it was pressed in); the claim id rides in the prompt's context. */
export function createRewardPrompt(
  deps: ServiceDeps,
  input: { user: ChatUser; memberId: string; purpose: RewardPromptPurpose; claimId: string; text: string; replyToMessageId?: string | null; dedupeKey: string },
): Promise<string> {
  const { claimId, ...rest } = input;
  return createPrompt(deps, { ...rest, context: { claimId }, ttlMs: PROMPT_TTL_MS });
}

/** The claim a reward prompt is about (from its context), or null when the prompt is not one. */
export function rewardPromptClaim(prompt: { purpose: string; context: string }): string | null {
  if (!isRewardPromptPurpose(prompt.purpose)) return null;
  try {
    const claimId = (JSON.parse(prompt.context) as { claimId?: unknown }).claimId;
    return typeof claimId === "string" && /^rwd_[A-Za-z0-9]{1,40}$/.test(claimId) ? claimId : null;
  } catch {
    return null;
  }
}
